DROP TABLE deliveries;
ALTER TABLE staff DROP COLUMN email;
DROP TABLE webhook_subscriptions;
DROP TABLE outbox;
DROP TABLE deadline_notices;
