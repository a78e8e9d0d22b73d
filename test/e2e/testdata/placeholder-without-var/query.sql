SELECT token_id FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = '{{ deployment_name }}';
