SELECT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = '{{ .deployment_name }}' AND comment = '{{ .comment }}';
