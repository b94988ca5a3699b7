// Package deploy holds the service files that run stancewatch: a systemd
// unit, a Dockerfile and compose file, Kubernetes manifests, an example
// configuration and SQL for a read-only analyst role. It has no code; its
// tests check that those files parse, agree with the configuration loader
// and the schema, and keep the hardening they promise.
package deploy
