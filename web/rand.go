package web

import "crypto/rand"

// randText is a fresh random token (26 base32 characters, 130 bits).
func randText() string { return rand.Text() }
