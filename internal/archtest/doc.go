// Package archtest holds the test that keeps the project's imports
// pointing down (see docs/architecture.md); it has no code of its own.
package archtest
