-- an admin revokes another user's token by its id, then lists the workspace's tokens (the other one is kept)
-- and reads the kept one by its id (get: one request for one token)
DELETE FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND token_id = '{{ leaked }}';
SELECT token_id, comment, created_by_username FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT comment, created_by_username FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND token_id = '{{ kept }}';
