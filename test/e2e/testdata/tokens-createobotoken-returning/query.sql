-- an admin creates a token on behalf of a service principal: the robot owns it, the admin created it
INSERT INTO databricks_workspace.workspace.tokens (data__application_id, data__comment, data__lifetime_seconds, deployment_name)
SELECT '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', 'deploy pipeline', 3600, 'dbc-abcd0123-a1bc.cloud.databricks.com'
RETURNING token_info, token_value;
SELECT comment, created_by_username, created_by_id, owner_id FROM databricks_workspace.workspace.tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
