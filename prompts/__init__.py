"""The built-in prompt templates (NAME.j2) and the JSON Schemas of their answers (NAME.schema.json)."""
