-- not read: the statements come from script.sql through -f
SELECT nothing FROM nowhere.at.all;
