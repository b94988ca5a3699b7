package web_test

import (
	"os"
	"testing"

	"github.com/stancewatch/stancewatch/internal/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
