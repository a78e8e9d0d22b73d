SELECT
token_id,
comment,
creation_time,
expiry_time
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = '{{ deployment_name }}' -- required;
