# ISO dates everywhere on the pages: the same form as the API, the CSV files and the risk evidence,
# and unambiguous for teams spread across countries.
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
