-- the docs page's SELECT, on a workspace whose user also holds tokens: the levels are the same for everyone
SELECT
permission_level,
description
FROM databricks_workspace.workspace.token_permission_levels
WHERE deployment_name = '{{ deployment_name }}' -- required
;
