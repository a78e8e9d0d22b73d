SELECT COALESCE(comment, '(none)') AS comment,
       datetime(creation_time / 1000, 'unixepoch') AS created,
       CASE WHEN expiry_time = -1 THEN 'never'
            ELSE datetime(expiry_time / 1000, 'unixepoch') END AS expires,
       IFNULL(length(comment), 0) AS comment_length
FROM databricks_workspace.workspace.user_tokens
WHERE deployment_name = 'dbc-abcd0123-a1bc.cloud.databricks.com'
ORDER BY creation_time;
