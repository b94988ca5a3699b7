package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stancewatch/stancewatch/config"
)

// Every deployment listens on 0.0.0.0 for its probes: each must pass the
// check that keeps the workbench off a non-loopback address without
// tokens, or `stancewatch run` would refuse to start there.
func TestDeploymentsPassTheExposureCheck(t *testing.T) {
	check := func(name, cfgFile string, env map[string]string) {
		t.Helper()
		l, err := config.Load(cfgFile, func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.HTTP.Listen != "0.0.0.0:8080" {
			t.Errorf("%s: listen %q, want 0.0.0.0:8080 (the case this test is about)", name, l.HTTP.Listen)
		}
		if err := l.HTTP.CheckExposure(); err != nil {
			t.Errorf("%s: run would refuse to start: %v", name, err)
		}
	}

	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	decodeInto(t, yamlDocs(t, "docker-compose.yml")[0], &compose)
	check("docker-compose.yml", "stancewatch.example.yaml", compose.Services["stancewatch"].Environment)

	var d k8sDeployment
	decodeInto(t, yamlDocs(t, "k8s/deployment.yaml")[0], &d)
	env := map[string]string{}
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	decodeInto(t, yamlDocs(t, "k8s/configmap.yaml")[0], &cm)
	path := filepath.Join(t.TempDir(), "stancewatch.yaml")
	if err := os.WriteFile(path, []byte(cm.Data["stancewatch.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	check("k8s/deployment.yaml", path, env)

	// The image's own environment, with no configuration file.
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	denv := map[string]string{}
	for _, m := range regexp.MustCompile(`(STANCEWATCH_[A-Z_]+)=(\S+)`).FindAllStringSubmatch(string(data), -1) {
		denv[m[1]] = m[2]
	}
	check("Dockerfile", "", denv)
}
