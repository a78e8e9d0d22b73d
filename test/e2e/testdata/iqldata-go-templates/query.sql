-- the engine's --iqldata: Go templates (dot, name) filled from a JSON object
INSERT INTO databricks_workspace.workspace.user_tokens (data__lifetime_seconds, data__comment, deployment_name)
SELECT {{ .lifetime }}, '{{ .comment }}', '{{ .deployment_name }}'
RETURNING json_extract(token_info, '$.comment') AS comment;
