package daemon

import (
	"strings"
	"testing"

	"github.com/stancewatch/stancewatch/config"
)

func TestNonLoopbackListenerNeedsAuth(t *testing.T) {
	cfg := config.Default()
	cfg.HTTP.Listen = "0.0.0.0:8080"
	if _, err := New(Options{Config: cfg}); err == nil || !strings.Contains(err.Error(), "http.auth.tokens") {
		t.Fatalf("New with a non-loopback listener and no tokens: err = %v, want a refusal naming http.auth.tokens", err)
	}
	cfg.HTTP.Auth.Tokens = []config.Token{{Name: "ops", Role: "reader", Token: "ops-token-0123456789"}}
	if _, err := New(Options{Config: cfg}); err != nil {
		t.Fatalf("with a token: %v", err)
	}
}
