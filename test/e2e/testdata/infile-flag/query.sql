-- not read: the statements come from script.sql through -i
SELECT nothing FROM nowhere.at.all;
