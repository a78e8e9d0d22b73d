INSERT INTO databricks_workspace.workspace.user_tokens (
data__lifetime_seconds,
data__comment,
deployment_name
)
SELECT
{{ lifetime_seconds }},
'{{ comment }}',
'{{ deployment_name }}'
RETURNING
token_info,
token_value
;
