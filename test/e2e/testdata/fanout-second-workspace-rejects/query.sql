SELECT token_id, deployment_name FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name IN ('dbc-abcd0123-a1bc.cloud.databricks.com', 'dbc-other.cloud.databricks.com');
