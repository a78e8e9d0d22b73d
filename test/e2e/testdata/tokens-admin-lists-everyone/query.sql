-- a workspace admin sees every valid token of the workspace: its own, a plain user's and a service principal's
SELECT comment, created_by_username, created_by_id, owner_id, workspace_id, expiry_time - creation_time AS lifetime_ms
FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
ORDER BY creation_time;
