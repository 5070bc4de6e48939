package lmserver

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Message is one chat message.
type Message struct {
	Role    string
	Content string
}

var knownRoles = []string{"system", "developer", "user", "assistant", "tool"}

// decodeMessages reads the chat messages: content is a string or an array
// of {"type": "text", "text": ...} parts.
func decodeMessages(raw json.RawMessage) ([]Message, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badField("messages", "want an array of {role, content} objects, got %s", quote(raw))
	}
	if len(list) == 0 {
		return nil, badField("messages", "empty: want at least one message")
	}
	if len(list) > maxMessages {
		return nil, badField("messages", "%d messages: want at most %d", len(list), maxMessages)
	}
	out := make([]Message, len(list))
	for i, m := range list {
		name := fmt.Sprintf("messages[%d]", i)
		var role string
		if err := json.Unmarshal(m["role"], &role); err != nil {
			return nil, badField(name+".role", "want one of %s, got %s", strings.Join(knownRoles, ", "), quote(m["role"]))
		}
		if !isKnownRole(role) {
			return nil, badField(name+".role", "%q: want one of %s", role, strings.Join(knownRoles, ", "))
		}
		content, err := decodeContent(name+".content", m["content"])
		if err != nil {
			return nil, err
		}
		out[i] = Message{Role: role, Content: content}
	}
	return out, nil
}

func isKnownRole(r string) bool {
	for _, k := range knownRoles {
		if r == k {
			return true
		}
	}
	return false
}

func decodeContent(name string, raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", nil // an assistant message with tool calls has none
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", badField(name, "want a string or an array of text parts, got %s", quote(raw))
	}
	var b strings.Builder
	for j, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", badField(fmt.Sprintf("%s[%d]", name, j), "part of type %q: only text parts are supported", p.Type)
		}
		b.WriteString(*p.Text)
	}
	return b.String(), nil
}

// RenderChat is the chat template. The model is a continuation model of
// Newton's Opticks, which has paragraphs but no speakers, so each message's
// content becomes a paragraph (its bytes followed by EOS, the end of a
// paragraph) whatever its role, and the reply is the next paragraph: it
// ends when the model writes EOS (finish_reason "stop").
//
//	[system, user, ...]  ->  content₁ EOS content₂ EOS ... contentₙ EOS
func RenderChat(msgs []Message) []int32 {
	var out []int32
	for _, m := range msgs {
		out = append(out, Encode(m.Content)...)
		out = append(out, EOS)
	}
	return out
}
