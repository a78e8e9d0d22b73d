-- a token value pasted into a statement the parser refuses is masked, though no service resolved
SELECT 'x' AS a dapi0123456789abcdef0123456789abcdef;
