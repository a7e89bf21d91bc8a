"""RawDocument → Plan: metadata, sections aligned to the template, tasks, targets."""
