-- Reference data of the guide: the profile types ("qualités") and the regional councils.
-- Regions are data: a later import may replace them (the 2020 merger into 16 councils).
CREATE TABLE qualities (
    code TEXT PRIMARY KEY NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    -- 'registry' (match the register of members) or 'external_form' (the "Autre profil" form).
    registration_path TEXT NOT NULL CHECK (registration_path IN ('registry', 'external_form')),
    -- Qualités of one family may register for one another's register entries.
    family TEXT NOT NULL,
    position INTEGER NOT NULL
);

INSERT INTO qualities (code, label_fr, label_en, registration_path, family, position) VALUES
 ('expert_comptable_independant', 'Expert-comptable indépendant', 'Chartered accountant, self-employed', 'registry', 'expert_comptable', 1),
 ('expert_comptable_salarie', 'Expert-comptable salarié', 'Chartered accountant, employed', 'registry', 'expert_comptable', 2),
 ('salarie_agc_83ter', 'Salarié d''AGC (83 ter)', 'AGC employee (article 83 ter)', 'registry', 'agc', 3),
 ('salarie_agc_83quater', 'Salarié d''AGC (83 quater)', 'AGC employee (article 83 quater)', 'registry', 'agc', 4),
 ('stagiaire', 'Expert-comptable stagiaire', 'Trainee chartered accountant', 'registry', 'stagiaire', 5),
 ('memorialiste', 'Mémorialiste', 'Writing the final thesis (mémoire)', 'registry', 'stagiaire', 6),
 ('expert_comptable_honoraire', 'Expert-comptable honoraire', 'Honorary chartered accountant', 'registry', 'honoraire', 7),
 ('president_directeur_agc', 'Président / directeur d''AGC', 'AGC president or director', 'registry', 'agc', 8),
 ('diplome_non_inscrit', 'Diplômé non inscrit', 'Graduate, not registered', 'registry', 'diplome', 9),
 ('permanent', 'Permanent de l''Ordre', 'Staff of the Ordre', 'registry', 'permanent', 10),
 ('autre_profil', 'Autre profil', 'Other profile', 'external_form', 'autre', 11);

CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL
);

INSERT INTO regions (code, name, position) VALUES
 ('alsace', 'Alsace', 1),
 ('aquitaine', 'Aquitaine', 2),
 ('auvergne', 'Auvergne', 3),
 ('bourgogne-franche-comte', 'Bourgogne-Franche-Comté', 4),
 ('bretagne', 'Bretagne', 5),
 ('champagne', 'Champagne', 6),
 ('corse', 'Corse', 7),
 ('guadeloupe', 'Guadeloupe', 8),
 ('guyane', 'Guyane', 9),
 ('la-reunion', 'La Réunion', 10),
 ('lille-nord-pas-de-calais', 'Lille-Nord-Pas-de-Calais', 11),
 ('limousin', 'Limousin', 12),
 ('lorraine', 'Lorraine', 13),
 ('marseille-paca', 'Marseille Provence-Alpes-Côte d''Azur', 14),
 ('martinique', 'Martinique', 15),
 ('montpellier', 'Montpellier', 16),
 ('normandie', 'Normandie', 17),
 ('paris-ile-de-france', 'Paris Île-de-France', 18),
 ('pays-de-loire', 'Pays-de-Loire', 19),
 ('picardie-ardennes', 'Picardie-Ardennes', 20),
 ('poitou-charentes-vendee', 'Poitou-Charentes-Vendée', 21),
 ('rhone-alpes', 'Rhône-Alpes', 22),
 ('rouen-normandie', 'Rouen-Normandie', 23),
 ('toulouse-midi-pyrenees', 'Toulouse-Midi-Pyrénées', 24);
