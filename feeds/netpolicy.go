package feeds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// PolicyError is a connection the network policy refused before it was
// made. Its message names the policy, never anything that was read.
type PolicyError struct {
	Addr   netip.Addr
	Reason string // e.g. "a private address"
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("refused: %s is %s (set poll.allow_private_networks or poll.allow_hosts to allow it)", e.Addr, e.Reason)
}

// Prefixes refused besides what netip's predicates cover.
var refusedPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address`},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // and 255.255.255.255
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use translated address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
}

// Prefixes whose addresses embed an IPv4 address in their last 32 bits
// (NAT64 and SIIT translation): the embedded address is checked too.
var translatedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 well-known prefix (RFC 6052)
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated (RFC 2765)
}

// sixToFour embeds an IPv4 address in bits 16..47 (RFC 3056).
var sixToFour = netip.MustParsePrefix("2002::/16")

// refusedReason says why addr may not be reached without an opt-in; ""
// when it is a public address.
func refusedReason(addr netip.Addr) string {
	addr = addr.WithZone("")
	if addr.Is4In6() {
		if r := refusedReason(addr.Unmap()); r != "" {
			return r + " (IPv4-mapped)"
		}
		return ""
	}
	switch {
	case !addr.IsValid():
		return "not a valid address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, p := range refusedPrefixes {
		if p.prefix.Contains(addr) {
			return p.reason
		}
	}
	if addr.Is6() {
		b := addr.As16()
		for _, p := range translatedPrefixes {
			if p.Contains(addr) {
				if r := refusedReason(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); r != "" {
					return r + " (IPv4-translated)"
				}
			}
		}
		if sixToFour.Contains(addr) {
			if r := refusedReason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return r + " (6to4)"
			}
		}
	}
	return ""
}

// netPolicy decides which addresses the fetcher may connect to. The
// check runs in the dialer's Control hook, after DNS resolution and
// before the connection is made, on every connection: feeds, article
// pages and each redirect hop alike. A name that resolves to a private
// address (DNS rebinding included) is caught there.
type netPolicy struct {
	allowPrivate bool
	allowHosts   map[string]bool // lower-case host names and IP literals
}

func newNetPolicy(allowPrivate bool, hosts []string) *netPolicy {
	p := &netPolicy{allowPrivate: allowPrivate, allowHosts: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if h != "" {
			p.allowHosts[h] = true
		}
	}
	return p
}

// control is a net.Dialer.Control function: address is the resolved
// IP and port about to be connected.
func (p *netPolicy) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refused: %q is not an IP address", host)
	}
	if reason := refusedReason(addr); reason != "" {
		return &PolicyError{Addr: addr.WithZone(""), Reason: reason}
	}
	return nil
}

// dialContext returns the transport's dial function: hosts listed in
// allow_hosts (by the name the URL gives) connect without the check;
// every other connection is checked after resolution.
func (p *netPolicy) dialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	open := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if p.allowPrivate {
		return open.DialContext
	}
	checked := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: p.control}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err == nil && p.allowHosts[strings.ToLower(strings.TrimSuffix(host, "."))] {
			return open.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// policyError finds a PolicyError in a transport error.
func policyError(err error) *PolicyError {
	var pe *PolicyError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
