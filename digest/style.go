package digest

import (
	"html/template"
	"strings"
)

// StyleSheet is the digest's CSS (without the <style> element), for
// other pages that should look like the digest, such as the workbench.
func StyleSheet() template.CSS {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "style", nil); err != nil {
		panic(err) // the template is built in; tests render it
	}
	css := strings.TrimSuffix(strings.TrimPrefix(b.String(), "<style>"), "</style>")
	return template.CSS(css)
}
