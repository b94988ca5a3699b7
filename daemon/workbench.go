package daemon

import (
	"github.com/stancewatch/stancewatch/web"
)

// workbench is the analyst workbench on the daemon's listener, with the
// configured tokens.
func (d *Daemon) workbench() *web.Server {
	var tokens []web.Token
	for _, t := range d.cfg.HTTP.Auth.Tokens {
		tokens = append(tokens, web.Token{Name: t.Name, Editor: t.Role == "editor", Secret: t.SecretValue()})
	}
	return web.New(web.Options{Store: d.currentStore, Location: d.cfg.Location(), Tokens: tokens, Logger: d.log})
}
