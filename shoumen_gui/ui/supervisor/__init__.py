"""The township supervisor's screens: region statistics and charts, abnormal list, export, on-behalf registration."""
