package deploy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.yaml.in/yaml/v3"

	"github.com/stancewatch/stancewatch/config"
	"github.com/stancewatch/stancewatch/internal/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// noEnv is an empty environment for config.Load.
func noEnv(string) string { return "" }

// yamlDocs decodes every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", path)
	}
	return docs
}

// decodeInto re-decodes a generic document into a typed value.
func decodeInto(t *testing.T, doc any, v any) {
	t.Helper()
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestYAMLFilesParse(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"docker-compose.yml", "stancewatch.example.yaml", "k8s/kustomization.yaml", "k8s/deployment.yaml"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s is missing (found %v)", want, files)
		}
	}
	for _, f := range files {
		docs := yamlDocs(t, f)
		if !strings.HasPrefix(f, "k8s"+string(filepath.Separator)) {
			continue
		}
		for i, doc := range docs {
			if doc["apiVersion"] == nil || doc["kind"] == nil {
				t.Errorf("%s: document %d has no apiVersion or kind", f, i)
			}
		}
	}
}

// k8sContainer is a container of the Deployment, as far as the test reads it.
type k8sContainer struct {
	Name           string   `yaml:"name"`
	Args           []string `yaml:"args"`
	LivenessProbe  probe    `yaml:"livenessProbe"`
	ReadinessProbe probe    `yaml:"readinessProbe"`
	Ports          []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		SecretRef struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		RunAsNonRoot             bool  `yaml:"runAsNonRoot"`
		ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
		SeccompProfile struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

type k8sDeployment struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot   bool `yaml:"runAsNonRoot"`
					SeccompProfile struct {
						Type string `yaml:"type"`
					} `yaml:"seccompProfile"`
				} `yaml:"securityContext"`
				Containers []k8sContainer   `yaml:"containers"`
				Volumes    []map[string]any `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

// exampleConfig loads deploy/stancewatch.example.yaml.
func exampleConfig(t *testing.T) *config.Loaded {
	t.Helper()
	l, err := config.Load("stancewatch.example.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestKubernetesManifests(t *testing.T) {
	var kust struct {
		Namespace string   `yaml:"namespace"`
		Resources []string `yaml:"resources"`
	}
	decodeInto(t, yamlDocs(t, "k8s/kustomization.yaml")[0], &kust)
	manifests, err := filepath.Glob("k8s/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range manifests {
		base := filepath.Base(m)
		if base != "kustomization.yaml" && !slices.Contains(kust.Resources, base) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	kinds := map[string]bool{}
	for _, r := range kust.Resources {
		for _, doc := range yamlDocs(t, filepath.Join("k8s", r)) {
			kinds[doc["kind"].(string)] = true
		}
	}
	for _, k := range []string{"Namespace", "Secret", "ConfigMap", "Deployment", "Service"} {
		if !kinds[k] {
			t.Errorf("no %s among the kustomization's resources", k)
		}
	}

	c := checkDeployment(t)
	checkContainer(t, c)

	// Kustomize itself, when kubectl is here.
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := exec.Command(kubectl, "kustomize", "k8s").CombinedOutput()
		if err != nil {
			t.Errorf("kubectl kustomize k8s: %v\n%s", err, out)
		}
	} else {
		t.Log("kubectl not installed: kustomize build not checked")
	}
}

// checkDeployment checks the pod of deployment.yaml and returns its one
// container.
func checkDeployment(t *testing.T) k8sContainer {
	t.Helper()
	var d k8sDeployment
	decodeInto(t, yamlDocs(t, "k8s/deployment.yaml")[0], &d)
	if d.Kind != "Deployment" {
		t.Fatalf("deployment.yaml: kind %q", d.Kind)
	}
	if d.Spec.Replicas != 2 {
		t.Errorf("replicas = %d, want 2", d.Spec.Replicas)
	}
	ps := d.Spec.Template.Spec
	shutdown := exampleConfig(t).Shutdown.Timeout
	if grace := time.Duration(ps.TerminationGracePeriodSeconds) * time.Second; grace <= shutdown {
		t.Errorf("terminationGracePeriodSeconds %s is not above shutdown.timeout %s", grace, shutdown)
	}
	if !ps.SecurityContext.RunAsNonRoot || ps.SecurityContext.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("pod securityContext: %+v", ps.SecurityContext)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(ps.Containers))
	}
	return ps.Containers[0]
}

// checkContainer checks the probes, environment, hardening and volumes
// of the stancewatch container.
func checkContainer(t *testing.T, c k8sContainer) {
	t.Helper()
	if c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("liveness probe path %q, want /healthz", c.LivenessProbe.HTTPGet.Path)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness probe path %q, want /readyz", c.ReadinessProbe.HTTPGet.Path)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v, want 8080", c.Ports)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if env["STANCEWATCH_HTTP_LISTEN"] != "0.0.0.0:8080" {
		t.Errorf("STANCEWATCH_HTTP_LISTEN = %q: probes need the listener on the pod IP", env["STANCEWATCH_HTTP_LISTEN"])
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != "stancewatch-db" {
		t.Errorf("envFrom %+v, want the secret stancewatch-db", c.EnvFrom)
	}
	sc := c.SecurityContext
	if !sc.RunAsNonRoot || !sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		!slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) || sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("container securityContext not hardened: %+v", sc)
	}
	if c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources: %+v", c.Resources)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	if mounts[env["STANCEWATCH_DIGEST_OUT_DIR"]] == "" {
		t.Errorf("digest.out_dir %q is not a mounted volume (the root filesystem is read-only)", env["STANCEWATCH_DIGEST_OUT_DIR"])
	}
	cfgPath := env["STANCEWATCH_CONFIG"]
	if mounts[filepath.Dir(cfgPath)] != "config" {
		t.Errorf("STANCEWATCH_CONFIG %q is not in the config volume", cfgPath)
	}

}

func TestComposeFile(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Image string `yaml:"image"`
			Build struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Environment     map[string]string `yaml:"environment"`
			Volumes         []string          `yaml:"volumes"`
			Ports           []string          `yaml:"ports"`
			Restart         string            `yaml:"restart"`
			StopGracePeriod string            `yaml:"stop_grace_period"`
			Healthcheck     struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	decodeInto(t, yamlDocs(t, "docker-compose.yml")[0], &compose)
	pgSvc, ok := compose.Services["postgres"]
	if !ok {
		t.Fatal("no service postgres")
	}
	if !strings.Contains(strings.Join(pgSvc.Healthcheck.Test, " "), "pg_isready") {
		t.Errorf("postgres healthcheck %v does not use pg_isready", pgSvc.Healthcheck.Test)
	}
	sw, ok := compose.Services["stancewatch"]
	if !ok {
		t.Fatal("no service stancewatch")
	}
	if _, err := os.Stat(filepath.Join(sw.Build.Context, sw.Build.Dockerfile)); err != nil {
		t.Errorf("build context %q + dockerfile %q: %v", sw.Build.Context, sw.Build.Dockerfile, err)
	}
	if _, err := os.Stat(filepath.Join(sw.Build.Context, "go.mod")); err != nil {
		t.Errorf("build context %q is not the repository root: %v", sw.Build.Context, err)
	}
	if sw.DependsOn["postgres"].Condition != "service_healthy" {
		t.Errorf("depends_on %+v, want postgres: service_healthy", sw.DependsOn)
	}
	if u, err := url.Parse(sw.Environment["DATABASE_URL"]); err != nil || u.Hostname() != "postgres" {
		t.Errorf("DATABASE_URL %q does not point at the postgres service", sw.Environment["DATABASE_URL"])
	}
	if sw.Restart != "unless-stopped" {
		t.Errorf("restart %q", sw.Restart)
	}
	grace, err := time.ParseDuration(sw.StopGracePeriod)
	if shutdown := exampleConfig(t).Shutdown.Timeout; err != nil || grace <= shutdown {
		t.Errorf("stop_grace_period %q is not above shutdown.timeout %s", sw.StopGracePeriod, shutdown)
	}
	cfgMounted := false
	for _, v := range sw.Volumes {
		parts := strings.Split(v, ":")
		if strings.HasPrefix(parts[0], ".") {
			if _, err := os.Stat(parts[0]); err != nil {
				t.Errorf("volume %q: %v", v, err)
			}
		}
		if len(parts) == 3 && parts[1] == sw.Environment["STANCEWATCH_CONFIG"] && parts[2] == "ro" {
			cfgMounted = true
		}
	}
	if !cfgMounted {
		t.Errorf("STANCEWATCH_CONFIG %q is not mounted read-only", sw.Environment["STANCEWATCH_CONFIG"])
	}
	if !slices.Equal(sw.Ports, []string{"127.0.0.1:8080:8080"}) {
		t.Errorf("ports %v: want 127.0.0.1:8080:8080 only (loopback; a proxy serves others)", sw.Ports)
	}

	// The environment the compose file gives must load with the example.
	if _, err := config.Load("stancewatch.example.yaml", func(k string) string { return sw.Environment[k] }); err != nil {
		t.Errorf("example configuration with the compose environment: %v", err)
	}
}

// checkFeeds asserts a curated feed list: at least 20, https, unique.
func checkFeeds(t *testing.T, name string, feeds []config.Feed) {
	t.Helper()
	if len(feeds) < 20 {
		t.Errorf("%s: %d feeds, want at least 20", name, len(feeds))
	}
	seen := map[string]bool{}
	for _, f := range feeds {
		u, err := url.Parse(f.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s: feed %q is not an https URL", name, f.URL)
		}
		if f.Name == "" {
			t.Errorf("%s: feed %s has no name", name, f.URL)
		}
		if seen[f.URL] {
			t.Errorf("%s: feed %s listed twice", name, f.URL)
		}
		seen[f.URL] = true
	}
}

func TestExampleConfig(t *testing.T) {
	l := exampleConfig(t)
	checkFeeds(t, "stancewatch.example.yaml", l.Feeds)
	c := l.Config
	if c.Timezone != "UTC" || c.Digest.Schedule != "0 6 * * *" || !filepath.IsAbs(c.Digest.OutDir) {
		t.Errorf("timezone %q, digest.schedule %q, digest.out_dir %q", c.Timezone, c.Digest.Schedule, c.Digest.OutDir)
	}
	if c.Poll.Interval != 15*time.Minute || c.Poll.MinInterval != 5*time.Minute || c.Poll.MaxInterval != 6*time.Hour || c.Poll.PerHost != 2 {
		t.Errorf("poll settings: %+v", c.Poll)
	}
	// The overrides the service files set apply on top of it.
	env := map[string]string{
		"DATABASE_URL":               "postgres://u:p@db/stancewatch",
		"STANCEWATCH_HTTP_LISTEN":    "0.0.0.0:8080",
		"STANCEWATCH_LOG_FORMAT":     "json",
		"STANCEWATCH_DIGEST_OUT_DIR": "/var/lib/stancewatch/digests",
	}
	l2, err := config.Load("stancewatch.example.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if l2.HTTP.Listen != "0.0.0.0:8080" || len(l2.EnvOverrides) != len(env) {
		t.Errorf("overrides not applied: listen %q, applied %v", l2.HTTP.Listen, l2.EnvOverrides)
	}
}

func TestConfigMapConfig(t *testing.T) {
	var cm struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	decodeInto(t, yamlDocs(t, "k8s/configmap.yaml")[0], &cm)
	text, ok := cm.Data["stancewatch.yaml"]
	if cm.Kind != "ConfigMap" || !ok {
		t.Fatalf("configmap.yaml: kind %q, keys %v", cm.Kind, cm.Data)
	}
	path := filepath.Join(t.TempDir(), "stancewatch.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := config.Load(path, noEnv)
	if err != nil {
		t.Fatalf("the ConfigMap's stancewatch.yaml: %v", err)
	}
	checkFeeds(t, "configmap.yaml", l.Feeds)
	if example := exampleConfig(t).Feeds; !slices.Equal(l.Feeds, example) {
		t.Errorf("the ConfigMap's feeds differ from stancewatch.example.yaml's: copy the list over")
	}
}

// unitDirectives reads a systemd unit: "Section.Key" to its values.
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: bad line %q", path, line)
			}
			key := section + "." + strings.TrimSpace(k)
			d[key] = append(d[key], strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

const unitPath = "systemd/stancewatch.service"

const execStart = "/usr/local/bin/stancewatch --config /etc/stancewatch/stancewatch.yaml run"

func TestSystemdUnitHardening(t *testing.T) {
	d := unitDirectives(t, unitPath)
	want := map[string]string{
		"Unit.After":                      "network-online.target",
		"Unit.Wants":                      "network-online.target",
		"Service.ExecStart":               execStart,
		"Service.EnvironmentFile":         "/etc/stancewatch/stancewatch.env",
		"Service.DynamicUser":             "yes",
		"Service.StateDirectory":          "stancewatch",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.ProtectKernelTunables":   "yes",
		"Service.ProtectKernelModules":    "yes",
		"Service.ProtectKernelLogs":       "yes",
		"Service.ProtectControlGroups":    "yes",
		"Service.RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
		"Service.RestrictNamespaces":      "yes",
		"Service.LockPersonality":         "yes",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.SystemCallFilter":        "@system-service",
		"Service.CapabilityBoundingSet":   "",
		"Service.KillSignal":              "SIGTERM",
		"Service.Restart":                 "on-failure",
		"Service.StateDirectoryMode":      "0750",
		"Service.Environment":             "STANCEWATCH_DIGEST_OUT_DIR=/var/lib/stancewatch/digests",
		"Install.WantedBy":                "multi-user.target",
		"Service.SystemCallArchitectures": "native",
		"Service.RestrictSUIDSGID":        "yes",
		"Service.ProtectClock":            "yes",
		"Service.RestrictRealtime":        "yes",
		"Service.AmbientCapabilities":     "",
		"Service.ProtectHostname":         "yes",
		"Service.ProtectProc":             "invisible",
		"Service.PrivateUsers":            "yes",
		"Service.RemoveIPC":               "yes",
		"Service.UMask":                   "0027",
		"Service.SystemCallErrorNumber":   "EPERM",
		"Service.WorkingDirectory":        "/var/lib/stancewatch",
		"Service.Type":                    "exec",
		"Service.KillMode":                "mixed",
		"Service.RestartSec":              "10s",
		"Unit.StartLimitIntervalSec":      "0",
		"Service.TimeoutStopSec":          "45s",
	}
	for key, v := range want {
		got, ok := d[key]
		switch {
		case !ok:
			t.Errorf("%s is missing", key)
		case key == "Unit.After":
			if !strings.Contains(got[0], v) {
				t.Errorf("%s=%q, want it to include %q", key, got[0], v)
			}
		case !slices.Contains(got, v):
			t.Errorf("%s=%q, want %q", key, got, v)
		}
	}
	if !slices.Contains(d["Service.SystemCallFilter"], "~@privileged") {
		t.Errorf("SystemCallFilter=~@privileged is missing")
	}
	stop, err := time.ParseDuration(d["Service.TimeoutStopSec"][0])
	if shutdown := exampleConfig(t).Shutdown.Timeout; err != nil || stop <= shutdown {
		t.Errorf("TimeoutStopSec %v is not above shutdown.timeout %s", d["Service.TimeoutStopSec"], shutdown)
	}

	// The env file example names the variables the unit relies on.
	env, err := os.ReadFile("systemd/stancewatch.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"DATABASE_URL=", "STANCEWATCH_LOG_FORMAT=json", "STANCEWATCH_DIGEST_OUT_DIR=/var/lib/stancewatch/digests"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(v)).Match(env) {
			t.Errorf("stancewatch.env.example has no line %s", v)
		}
	}
}

func TestSystemdUnitVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian: apt-get install -y systemd): unit not verified")
	}
	if testing.Short() {
		t.Skip("-short: the binary is not built")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "stancewatch")
	build := exec.Command(goCmd, "build", "-o", bin, "./cmd/stancewatch")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte("ExecStart="+execStart+"\n")) {
		t.Fatalf("ExecStart is not %q", execStart)
	}
	unit = bytes.ReplaceAll(unit, []byte("ExecStart=/usr/local/bin/stancewatch "), []byte("ExecStart="+bin+" "))
	copyPath := filepath.Join(dir, "stancewatch.service")
	if err := os.WriteFile(copyPath, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", copyPath).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// Unknown keys and bad values are warnings with exit status 0.
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "stancewatch.service") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	toolchain := regexp.MustCompile(`(?m)^toolchain go(\d+\.\d+\.\d+)$`).FindStringSubmatch(string(gomod))
	if toolchain == nil {
		t.Fatal("go.mod has no toolchain line")
	}
	for _, re := range []string{
		// The builder builds with go.mod's toolchain.
		`(?m)^ARG GO_VERSION=` + regexp.QuoteMeta(toolchain[1]) + `$`,
		`GOTOOLCHAIN=go\$\{GO_VERSION\}`,
		// Base images pinned by digest, with how to update them.
		`(?m)^FROM golang:[0-9.]+-bookworm@sha256:[0-9a-f]{64} AS build$`,
		`(?m)^FROM gcr\.io/distroless/static-debian12:nonroot@sha256:[0-9a-f]{64}$`,
		`(?m)^# .*crane digest`,
		`GOMEMLIMIT=`,
		`CGO_ENABLED=0`,
		`-trimpath`,
		`-ldflags "-s -w -X main\.version=\$\{VERSION\}"`,
		`(?m)^COPY go\.mod go\.sum \./$`,
		`go mod download`,
		`(?m)^COPY --from=build /out/stancewatch /stancewatch$`,
		`STANCEWATCH_HTTP_LISTEN=0\.0\.0\.0:8080`,
		`STANCEWATCH_LOG_FORMAT=json`,
		`STANCEWATCH_DIGEST_OUT_DIR=/var/lib/stancewatch/digests`,
		`(?m)^EXPOSE 8080$`,
		`(?m)^USER nonroot$`,
		`(?m)^ENTRYPOINT \["/stancewatch"\]$`,
		`(?m)^CMD \["run"\]$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("Dockerfile does not match %s", re)
		}
	}
	// Modules are downloaded before the sources are copied (layer cache).
	if i, j := strings.Index(text, "go mod download"), strings.Index(text, "COPY . ."); i < 0 || j < 0 || i > j {
		t.Errorf("go mod download must come before COPY . .")
	}
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(text, -1)); n != 2 {
		t.Errorf("%d stages, want 2", n)
	}
}

// execScript runs a psql script over the simple protocol (several
// statements, DO blocks); psql's own backslash commands are dropped.
func execScript(ctx context.Context, conn *pgx.Conn, script string) error {
	var sql strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), `\`) {
			sql.WriteString(line)
		}
	}
	_, err := conn.PgConn().Exec(ctx, sql.String()).ReadAll()
	return err
}

// asAnalyst runs stmt in a transaction as stancewatch_analyst and rolls back.
func asAnalyst(ctx context.Context, conn *pgx.Conn, stmt string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE stancewatch_analyst"); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, stmt)
	return err
}

func TestAnalystRole(t *testing.T) {
	ctx := context.Background()
	dbURL := pg.NewDatabase(t)
	conn := pgtest.Conn(t, dbURL)

	var mayCreateRole bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user`).Scan(&mayCreateRole); err != nil {
		t.Fatal(err)
	}
	if !mayCreateRole {
		t.Skip("the test server's role may not create roles: analyst_role.sql not run")
	}
	var existed bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stancewatch_analyst')`).Scan(&existed); err != nil {
		t.Fatal(err)
	}
	if !existed {
		// Leave the server as it was: the role is cluster-wide.
		t.Cleanup(func() {
			if _, err := conn.Exec(ctx, "DROP OWNED BY stancewatch_analyst"); err != nil {
				t.Logf("drop owned by stancewatch_analyst: %v", err)
				return
			}
			if _, err := conn.Exec(ctx, "DROP ROLE stancewatch_analyst"); err != nil {
				t.Logf("drop role stancewatch_analyst: %v", err)
			}
		})
	}

	script, err := os.ReadFile("sql/analyst_role.sql")
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		if err := execScript(ctx, conn, string(script)); err != nil {
			t.Fatalf("analyst_role.sql, run %d: %v", run, err)
		}
	}

	var canLogin bool
	if err := conn.QueryRow(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = 'stancewatch_analyst'`).Scan(&canLogin); err != nil {
		t.Fatal(err)
	}
	if canLogin {
		t.Error("stancewatch_analyst can log in; want NOLOGIN")
	}

	// A table a later migration creates, as the owner of the schema's
	// tables: the default privileges cover it.
	if _, err := conn.Exec(ctx, `CREATE TABLE later_migration (x int)`); err != nil {
		t.Fatal(err)
	}

	for _, q := range []string{
		`SELECT count(*) FROM article_labels`,
		`SELECT count(*) FROM feeds`,
		`SELECT count(*) FROM articles`,
		`SELECT count(*) FROM tag_evidence`,
		`SELECT count(*) FROM schema_version`,
		`SELECT count(*) FROM later_migration`,
	} {
		if err := asAnalyst(ctx, conn, q); err != nil {
			t.Errorf("as stancewatch_analyst, %s: %v", q, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO feeds (url) VALUES ('https://example.org/feed')`,
		`UPDATE articles SET title = ''`,
		`DELETE FROM article_tags`,
		`TRUNCATE feed_polls`,
		`INSERT INTO later_migration VALUES (1)`,
	} {
		err := asAnalyst(ctx, conn, q)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("as stancewatch_analyst, %s: got %v, want permission denied (42501)", q, err)
		}
	}
}

// The deployment items of the security review (issue 11), one test per
// kind of deployment.

func TestComposeHardening(t *testing.T) {
	// Compose: no password in the file; it comes from an env file that is
	// not committed; images pinned by digest.
	compose, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			EnvFile     []struct {
				Path     string `yaml:"path"`
				Required bool   `yaml:"required"`
			} `yaml:"env_file"`
			MemLimit string `yaml:"mem_limit"`
		} `yaml:"services"`
	}
	decodeInto(t, yamlDocs(t, "docker-compose.yml")[0], &c)
	for name, svc := range c.Services {
		if svc.Image != "" && !strings.HasPrefix(svc.Image, "stancewatch:") && !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(svc.Image) {
			t.Errorf("service %s: image %q is not pinned by digest", name, svc.Image)
		}
		if len(svc.EnvFile) != 1 || svc.EnvFile[0].Path != "db.env" || !svc.EnvFile[0].Required {
			t.Errorf("service %s: env_file %+v, want db.env, required", name, svc.EnvFile)
		}
		if _, ok := svc.Environment["POSTGRES_PASSWORD"]; ok {
			t.Errorf("service %s: POSTGRES_PASSWORD in the compose file", name)
		}
	}
	if u, err := url.Parse(c.Services["stancewatch"].Environment["DATABASE_URL"]); err != nil || u.User == nil {
		t.Errorf("DATABASE_URL %q", c.Services["stancewatch"].Environment["DATABASE_URL"])
	} else if _, has := u.User.Password(); has {
		t.Errorf("DATABASE_URL carries a password in the compose file")
	}
	if bytes.Contains(compose, []byte("stancewatch:stancewatch@")) || bytes.Contains(compose, []byte("POSTGRES_PASSWORD: ")) {
		t.Errorf("docker-compose.yml still holds a database password")
	}
	checkMemLimit(t, "compose", c.Services["stancewatch"].Environment["GOMEMLIMIT"], c.Services["stancewatch"].MemLimit)
	example, err := os.ReadFile("db.env.example")
	if err != nil || !bytes.Contains(example, []byte("POSTGRES_PASSWORD=")) || !bytes.Contains(example, []byte("PGPASSWORD=")) {
		t.Errorf("db.env.example: %v", err)
	}
	gitignore, err := os.ReadFile("../.gitignore")
	if err != nil || !regexp.MustCompile(`(?m)^/deploy/db\.env$`).Match(gitignore) {
		t.Errorf(".gitignore does not keep deploy/db.env out of the repository")
	}
}

func TestKubernetesEgressPolicy(t *testing.T) {
	// Kubernetes: an egress NetworkPolicy (DNS, the database, 80/443 to
	// public addresses only).
	var np struct {
		Kind string `yaml:"kind"`
		Spec struct {
			PolicyTypes []string `yaml:"policyTypes"`
			Egress      []struct {
				To []struct {
					IPBlock *struct {
						CIDR   string   `yaml:"cidr"`
						Except []string `yaml:"except"`
					} `yaml:"ipBlock"`
				} `yaml:"to"`
				Ports []struct {
					Protocol string `yaml:"protocol"`
					Port     int    `yaml:"port"`
				} `yaml:"ports"`
			} `yaml:"egress"`
		} `yaml:"spec"`
	}
	decodeInto(t, yamlDocs(t, "k8s/networkpolicy.yaml")[0], &np)
	if np.Kind != "NetworkPolicy" || !slices.Equal(np.Spec.PolicyTypes, []string{"Egress"}) {
		t.Errorf("networkpolicy.yaml: kind %q, policyTypes %v", np.Kind, np.Spec.PolicyTypes)
	}
	ports := map[int]bool{}
	for _, e := range np.Spec.Egress {
		if len(e.Ports) == 0 {
			t.Errorf("an egress rule without ports allows every port")
		}
		for _, p := range e.Ports {
			ports[p.Port] = true
			if p.Port == 80 || p.Port == 443 {
				for _, to := range e.To {
					linkLocal := "169.254.0.0/16"
					if to.IPBlock != nil && strings.Contains(to.IPBlock.CIDR, ":") {
						linkLocal = "fe80::/10"
					}
					if to.IPBlock == nil || !slices.Contains(to.IPBlock.Except, linkLocal) {
						t.Errorf("HTTP egress to %+v does not exclude link-local addresses", to.IPBlock)
					}
				}
			}
		}
	}
	if len(ports) != 4 || !ports[53] || !ports[5432] || !ports[80] || !ports[443] {
		t.Errorf("egress ports %v, want 53, 5432, 80 and 443 only", ports)
	}
}

func TestKubernetesMemoryAndTLS(t *testing.T) {
	var d k8sDeployment
	decodeInto(t, yamlDocs(t, "k8s/deployment.yaml")[0], &d)
	ctr := d.Spec.Template.Spec.Containers[0]
	gomem := ""
	for _, e := range ctr.Env {
		if e.Name == "GOMEMLIMIT" {
			gomem = e.Value
		}
	}
	checkMemLimit(t, "deployment", gomem, ctr.Resources.Limits["memory"])
	for _, f := range []string{"k8s/secret.yaml", "systemd/stancewatch.env.example", "stancewatch.example.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("sslmode=verify-full")) || regexp.MustCompile(`sslmode=(require|prefer|allow|disable)`).Match(data) {
			t.Errorf("%s: the example database URL must use sslmode=verify-full", f)
		}
	}
}

func TestSystemdHardening(t *testing.T) {
	// systemd: memory, tasks and link-local addresses bounded.
	u := unitDirectives(t, unitPath)
	if len(u["Service.MemoryMax"]) != 1 || len(u["Service.TasksMax"]) != 1 {
		t.Errorf("MemoryMax %v, TasksMax %v", u["Service.MemoryMax"], u["Service.TasksMax"])
	}
	if deny := strings.Join(u["Service.IPAddressDeny"], " "); !strings.Contains(deny, "link-local") {
		t.Errorf("IPAddressDeny=%q does not deny link-local addresses", deny)
	}
	gomem := ""
	for _, e := range u["Service.Environment"] {
		if v, ok := strings.CutPrefix(e, "GOMEMLIMIT="); ok {
			gomem = v
		}
	}
	if len(u["Service.MemoryMax"]) == 1 {
		checkMemLimit(t, "systemd", gomem, u["Service.MemoryMax"][0])
	}
}

// checkMemLimit asserts GOMEMLIMIT (e.g. 400MiB) is set and below the
// container's limit (512Mi, 512m, 512Mi).
func checkMemLimit(t *testing.T, where, gomemlimit, limit string) {
	t.Helper()
	mib := func(s string) int {
		s = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(s), "b"), "i")
		n, unit := 0, s[len(s)-1:]
		for _, r := range s[:len(s)-1] {
			if r < '0' || r > '9' {
				return -1
			}
			n = n*10 + int(r-'0')
		}
		switch unit {
		case "m":
			return n
		case "g":
			return n << 10
		}
		return -1
	}
	if gomemlimit == "" || limit == "" {
		t.Errorf("%s: GOMEMLIMIT %q, memory limit %q: both must be set", where, gomemlimit, limit)
		return
	}
	g, l := mib(gomemlimit), mib(limit)
	if g <= 0 || l <= 0 || g >= l {
		t.Errorf("%s: GOMEMLIMIT %s is not below the memory limit %s", where, gomemlimit, limit)
	}
}
