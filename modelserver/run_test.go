package modelserver

import (
	"net"
	"testing"
)

func TestDialAddr(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8000}, "127.0.0.1:8000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8000}, "127.0.0.1:8000"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9}, "[::1]:9"},
		{&net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 1}, "10.1.2.3:1"},
	} {
		if got := DialAddr(tc.addr); got != tc.want {
			t.Errorf("DialAddr(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
