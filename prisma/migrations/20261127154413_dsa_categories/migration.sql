-- CreateTable
CREATE TABLE "dsa_category_map" (
    "policy" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "decision_ground" TEXT NOT NULL,
    "ground_text" TEXT,
    "explanation" TEXT,
    "updated_by" TEXT NOT NULL DEFAULT 'migration',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dsa_category_map_pkey" PRIMARY KEY ("policy")
);

-- The DSA mapping of the demo policies. Only child sexual abuse material and IP infringement are
-- reported as illegal content: they are acted on under the law (a notice of illegality, a copyright
-- takedown). Every other policy is enforced under the Usage Policy, so its ground is the terms of
-- service even where the content may also be illegal somewhere. Admins edit rows with `setDsaMapping`.
-- Idempotent, so a later admin edit is never overwritten.
INSERT INTO "dsa_category_map" ("policy", "category", "decision_ground", "ground_text", "explanation") VALUES
  ('hate_speech', 'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: hateful content', 'The content attacks people on the basis of protected characteristics, which the Usage Policy prohibits.'),
  ('violent_extremism', 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: violent extremism', 'The content promotes, supports or plans violent extremist or terrorist activity, which the Usage Policy prohibits.'),
  ('csam', 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS', 'DECISION_GROUND_ILLEGAL_CONTENT', 'Directive 2011/93/EU, Article 5 (child sexual abuse material)', 'The content is child sexual abuse material, whose production, distribution and possession are offences under that Directive as transposed into national law.'),
  ('self_harm', 'STATEMENT_CATEGORY_SELF_HARM', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: self-harm', 'The content promotes or gives instructions for suicide or self-harm, which the Usage Policy prohibits.'),
  ('harassment', 'STATEMENT_CATEGORY_CYBER_VIOLENCE', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: harassment and bullying', 'The content harasses, bullies or intimidates a person, which the Usage Policy prohibits.'),
  ('spam', 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: spam and platform abuse', 'The content is unsolicited bulk or automated messaging, which the Usage Policy prohibits.'),
  ('fraud', 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: fraud and scams', 'The content is used to deceive people for gain (scams, phishing), which the Usage Policy prohibits.'),
  ('privacy_violation', 'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: privacy', 'The content exposes personal data of a person without their consent, which the Usage Policy prohibits.'),
  ('ip_infringement', 'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS', 'DECISION_GROUND_ILLEGAL_CONTENT', 'Directive 2001/29/EC, Articles 2 and 3, as transposed into national copyright law', 'The rights holder notified that the material reproduces or communicates their protected work to the public without authorisation.'),
  ('malware', 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'Usage Policy: malicious code and cyber attacks', 'The content distributes or builds malware or tools for attacking computer systems, which the Usage Policy prohibits.')
ON CONFLICT ("policy") DO NOTHING;
