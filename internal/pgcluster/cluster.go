// Package pgcluster runs a private PostgreSQL cluster from the server
// binaries installed on the machine (Debian: /usr/lib/postgresql/N/bin).
// Tests use a throwaway one in a temporary directory; `make demo` and
// `make run` keep one under .data/ between runs. It is development
// tooling, never used by the daemon itself.
package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InstallHint is the command that installs the server binaries.
const InstallHint = "apt-get update && apt-get install -y postgresql   (as root, or with sudo)"

// ErrNoBinaries means no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found (looked for pg_ctl in /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin and PATH)")

// BinDir returns the directory of the newest installed server binaries.
func BinDir() (string, error) {
	var candidates []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"} {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if isExecutable(filepath.Join(d, "pg_ctl")) && isExecutable(filepath.Join(d, "initdb")) {
				candidates = append(candidates, d)
			}
		}
	}
	if len(candidates) > 0 {
		sort.Slice(candidates, func(i, j int) bool { return versionOf(candidates[i]) > versionOf(candidates[j]) })
		return candidates[0], nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		d := filepath.Dir(p)
		if isExecutable(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	// /usr/lib/postgresql/15/bin -> 15
	n, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(binDir)), "pgsql-"))
	return n
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Options configure a cluster.
type Options struct {
	// Durable keeps fsync on. Throwaway test clusters turn it off for speed.
	Durable bool
}

// Cluster is a running server started from a data directory.
type Cluster struct {
	Dir    string // data directory
	BinDir string
	Port   int
	cred   *syscall.Credential // set when running as root: the server runs as "postgres"
}

// URL is a connection string for database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Ensure starts the cluster in dir, creating it first if dir holds none,
// and returns it once it accepts connections. A cluster that is already
// running there is reused.
func Ensure(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	c, err := Attach(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		if err := c.initdb(ctx, opts); err != nil {
			return nil, err
		}
	}
	if port, ok := c.runningPort(); ok {
		c.Port = port
		return c, nil
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Attach returns the cluster in dir without starting it, e.g. to stop it.
func Attach(dir string) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, BinDir: bin}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		cred, err := postgresUser()
		if err != nil {
			return nil, err
		}
		c.cred = cred
	}
	return c, nil
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, so the cluster must run as user postgres, which does not exist: %w (installing PostgreSQL creates it: %s)", err, InstallHint)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
		cmd.Dir = "/"
	}
	return cmd
}

func run(cmd *exec.Cmd) error {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, opts Options) error {
	// Parents must be traversable by the postgres user when running as root.
	if err := os.MkdirAll(filepath.Dir(c.Dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(c.Dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if c.cred != nil {
		if err := os.Chown(c.Dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	args := []string{"-D", c.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if !opts.Durable {
		args = append(args, "--no-sync")
	}
	if err := run(c.command(ctx, "initdb", args...)); err != nil {
		return fmt.Errorf("initdb in %s (the postgres user must be able to reach this directory): %w", c.Dir, err)
	}
	// TCP on loopback only; no Unix socket, whose path length limit a
	// deep project directory would break.
	conf := "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\n"
	if !opts.Durable {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
	f, err := os.OpenFile(filepath.Join(c.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("\n# stancewatch development cluster\n" + conf)
	return err
}

// runningPort reads the port of a live server from postmaster.pid.
func (c *Cluster) runningPort() (int, bool) {
	if err := run(c.command(context.Background(), "pg_ctl", "-D", c.Dir, "status")); err != nil {
		return 0, false
	}
	f, err := os.Open(filepath.Join(c.Dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 4 { // the file's fourth line is the port
			port, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
			return port, err == nil
		}
	}
	return 0, false
}

// portFile remembers a kept cluster's port so that it stays the same
// across restarts when it is still free.
const portFile = "stancewatch.port"

func (c *Cluster) start(ctx context.Context) error {
	port := 0
	if b, err := os.ReadFile(filepath.Join(c.Dir, portFile)); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && portIsFree(p) {
			port = p
		}
	}
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	c.Port = port
	_ = os.WriteFile(filepath.Join(c.Dir, portFile), []byte(strconv.Itoa(port)+"\n"), 0o644)
	logFile := filepath.Join(c.Dir, "server.log")
	err := run(c.command(ctx, "pg_ctl", "-D", c.Dir, "-l", logFile, "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d", port), "start"))
	if err != nil {
		return fmt.Errorf("start PostgreSQL in %s: %w (see %s)", c.Dir, err, logFile)
	}
	// pg_ctl -w waits for readiness; make sure TCP answers too.
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL in %s does not accept connections on port %d: %w", c.Dir, port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down fast; the data directory stays.
func (c *Cluster) Stop() error {
	return run(c.command(context.Background(), "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop"))
}

func portIsFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WithDatabase returns connString pointing at database db instead.
func WithDatabase(connString, db string) string {
	if u, err := url.Parse(connString); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	// key=value form: a later key overrides an earlier one.
	return connString + " dbname=" + db
}
