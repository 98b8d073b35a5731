DROP TABLE letter_templates;
