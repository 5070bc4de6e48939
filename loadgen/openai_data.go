package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
)

// Limits on a prompt file.
const (
	maxPromptRows      = 1 << 20
	maxPromptFileBytes = 512 << 20
)

// readPrompts reads --data for an OpenAI-compatible target: JSONL, one
// {"prompt": "..."} or {"messages": [...]} per line with an optional
// "output_tokens", or a ShareGPT JSON file (an array of {"conversations":
// [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}]}),
// whose first human turn is the prompt and whose reply's length, in the
// server's tokens as estimated, is the output length. The format is told by
// the first character: '[' is ShareGPT.
func (t *openaiTarget) readPrompts(rng *rand.Rand) ([]promptSpec, error) {
	path := t.o.DataFile
	f, err := os.Open(path)
	if err != nil {
		return nil, &DataError{Err: fmt.Errorf("--data: %w", err)}
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, maxPromptFileBytes+1))
	first, err := firstNonSpace(br)
	if err != nil {
		return nil, &DataError{Err: fmt.Errorf("prompt file %s is empty (want JSONL prompts or a ShareGPT JSON array)", path)}
	}
	var out []promptSpec
	if first == '[' {
		t.format = "sharegpt"
		out, err = t.readShareGPT(br, path)
	} else {
		t.format = "jsonl"
		out, err = t.readJSONLPrompts(br, path, rng)
	}
	if err != nil {
		return nil, &DataError{Err: err}
	}
	return out, nil
}

// firstNonSpace peeks at the first byte after a UTF-8 byte-order mark and
// white space.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3) //nolint:errcheck // the bytes were peeked
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !strings.ContainsRune(" \t\r\n", rune(b)) {
			return b, br.UnreadByte()
		}
	}
}

// promptRow is one JSONL line.
type promptRow struct {
	Prompt       *string       `json:"prompt"`
	Messages     []chatMessage `json:"messages"`
	OutputTokens *int          `json:"output_tokens"`
}

func (t *openaiTarget) readJSONLPrompts(r io.Reader, path string, rng *rand.Rand) ([]promptSpec, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxDataLineBytes)
	var out []promptSpec
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if len(out) >= maxPromptRows {
			return nil, fmt.Errorf("prompt file %s: more than %d prompts", path, maxPromptRows)
		}
		p, err := t.parsePromptRow(text, rng)
		if err != nil {
			return nil, fmt.Errorf("prompt file %s line %d: %w", path, line, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("prompt file %s line %d: longer than %d MiB", path, line+1, maxDataLineBytes>>20)
		}
		return nil, fmt.Errorf("prompt file %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("prompt file %s has no prompts (want one JSON object per line)", path)
	}
	return out, nil
}

func (t *openaiTarget) parsePromptRow(text []byte, rng *rand.Rand) (promptSpec, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var row promptRow
	if err := dec.Decode(&row); err != nil {
		return promptSpec{}, fmt.Errorf(`not a prompt row (want {"prompt": "..."} or {"messages": [...]}, optionally with "output_tokens"): %v`, err)
	}
	if dec.More() {
		return promptSpec{}, fmt.Errorf("more than one JSON value on the line")
	}
	p := promptSpec{}
	switch {
	case row.Prompt != nil && row.Messages != nil:
		return promptSpec{}, fmt.Errorf(`give "prompt" or "messages", not both`)
	case row.Prompt != nil:
		if strings.TrimSpace(*row.Prompt) == "" {
			return promptSpec{}, fmt.Errorf(`"prompt" is empty`)
		}
		p.text = *row.Prompt
	case len(row.Messages) > 0:
		if t.o.API == APICompletions {
			return promptSpec{}, fmt.Errorf(`"messages" needs --api chat; /v1/completions takes "prompt" rows`)
		}
		var all []string
		for i, m := range row.Messages {
			if m.Role == "" || m.Content == "" {
				return promptSpec{}, fmt.Errorf("message %d lacks a role or content", i)
			}
			all = append(all, m.Content)
		}
		p.messages, p.text = row.Messages, strings.Join(all, "\n")
	default:
		return promptSpec{}, fmt.Errorf(`the row has neither "prompt" nor "messages"`)
	}
	p.outputTokens = draw(rng, t.o.OutputTokens)
	if row.OutputTokens != nil {
		if *row.OutputTokens < 1 {
			return promptSpec{}, fmt.Errorf(`"output_tokens" %d: want at least 1`, *row.OutputTokens)
		}
		p.outputTokens = *row.OutputTokens
	}
	p.estimatedTokens = t.tok.tokens(len(strings.Fields(p.text)))
	return p, nil
}

// shareGPTEntry is one conversation of a ShareGPT file.
type shareGPTEntry struct {
	Conversations []shareGPTTurn `json:"conversations"`
	Conversation  []shareGPTTurn `json:"conversation"`
}

type shareGPTTurn struct {
	From  string `json:"from"`
	Value string `json:"value"`
}

func (t *openaiTarget) readShareGPT(r io.Reader, path string) ([]promptSpec, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("prompt file %s: %w", path, err)
	}
	if len(data) > maxPromptFileBytes {
		return nil, fmt.Errorf("prompt file %s is over %d MiB", path, maxPromptFileBytes>>20)
	}
	var entries []shareGPTEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("prompt file %s is not a ShareGPT JSON array of conversations: %v", path, err)
	}
	var out []promptSpec
	for _, e := range entries {
		turns := e.Conversations
		if len(turns) == 0 {
			turns = e.Conversation
		}
		// The first human turn and the reply after it; conversations
		// without both are skipped, as vLLM's benchmark skips them.
		for i := 0; i+1 < len(turns); i++ {
			if !isHumanTurn(turns[i].From) || strings.TrimSpace(turns[i].Value) == "" {
				continue
			}
			reply := turns[i+1]
			if isHumanTurn(reply.From) || strings.TrimSpace(reply.Value) == "" {
				break
			}
			words := len(strings.Fields(turns[i].Value))
			out = append(out, promptSpec{text: turns[i].Value, estimatedTokens: t.tok.tokens(words),
				outputTokens: max(1, int(t.tok.perWord*float64(len(strings.Fields(reply.Value)))+0.5))})
			break
		}
		if len(out) >= maxPromptRows {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("prompt file %s: no conversation has a human turn followed by a reply", path)
	}
	return out, nil
}

func isHumanTurn(from string) bool {
	f := strings.ToLower(from)
	return f == "human" || f == "user"
}
