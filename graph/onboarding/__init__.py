"""Onboarding in GraphQL: `startReconcile` starts the reconcile job the CLI runs, `reconcileJob`
reports its progress and summary (for the Angular app to show)."""
