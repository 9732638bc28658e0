DROP TABLE IF EXISTS mqtt_quarantine;
DROP TABLE IF EXISTS mqtt_sequences;
