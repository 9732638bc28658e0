DROP TABLE IF EXISTS mqtt_retained;
