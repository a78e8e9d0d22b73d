-- LIKE is case-insensitive for ASCII
SELECT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND comment LIKE 'CI%' ORDER BY comment;
-- a missing comment is NULL, not the string 'null'
SELECT COUNT(*) AS no_comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND comment IS NULL;
SELECT COUNT(*) AS says_null FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND comment = 'null';
-- NOT (NULL = 'x') is NULL, so the comment-less token is not returned
SELECT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND NOT comment = 'ci nightly' ORDER BY comment;
-- NULL OR TRUE is TRUE
SELECT COUNT(*) AS all_tokens FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND (comment = 'nothing' OR expiry_time <> 0);
-- ORDER BY before LIMIT; NULLs sort first ascending
SELECT comment, expiry_time FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' ORDER BY comment LIMIT 3;
-- integer column against a text literal compares numerically; legacy tokens never expire
SELECT comment FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND expiry_time < '0';
-- IN, aliases and ORDER BY an alias, descending, with OFFSET
SELECT comment AS c, creation_time AS t FROM databricks_workspace.workspace.user_tokens AS ut
WHERE ut.deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com' AND ut.comment IN ('ci nightly', 'CI deploy', 'notebook')
ORDER BY t DESC LIMIT 2 OFFSET 1;
