-- SQLite would print 'ci nightly-x'; the engine's parser reads || as OR and would print 0
SELECT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
SELECT comment || '-x' AS label FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com';
