//! French names and places for the demo register: accents, hyphens, apostrophes and particles
//! on purpose, since the name search and the identifiers must cope with all of them.

/// Women's first names.
#[rustfmt::skip]
pub const FEMALE_FIRST_NAMES: &[&str] = &[
    "Marie", "Hélène", "Anne-Sophie", "Élodie", "Chloé", "Camille", "Léa", "Manon", "Inès", "Zoé",
    "Maëlle", "Noémie", "Clémence", "Océane", "Gaëlle", "Mélanie", "Cécile", "Sophie", "Isabelle",
    "Nathalie", "Sandrine", "Valérie", "Françoise", "Brigitte", "Aurélie", "Émilie", "Laëtitia",
    "Marie-Claire", "Marie-Hélène", "Anne-Laure", "Ségolène", "Bérénice", "Agnès", "Béatrice",
    "Géraldine", "Joëlle", "Thérèse", "Amélie", "Pauline", "Julie", "Laure", "Sarah", "Fatima",
    "Aïcha", "Yasmine", "Nadia", "Lucie", "Margaux", "Héloïse", "Éléonore", "Mireille", "Véronique",
    "Christine", "Catherine", "Sylvie", "Claire", "Juliette", "Louise", "Jeanne", "Romane", "Anaïs",
    "Capucine", "Solène", "Maïwenn", "Nolwenn", "Awa", "Aminata", "Rose-Marie", "Marie-José", "Ève",
];

/// Men's first names.
#[rustfmt::skip]
pub const MALE_FIRST_NAMES: &[&str] = &[
    "Jean", "Jean-Baptiste", "Jean-Pierre", "Jean-François", "Pierre-Yves", "François", "Frédéric",
    "Jérôme", "Stéphane", "Sébastien", "Grégoire", "Loïc", "Gaël", "Noël", "Raphaël", "Mickaël",
    "Joël", "Benoît", "Hervé", "Rémi", "Jérémy", "Cédric", "Thibault", "Théo", "Léo", "Lucas",
    "Hugo", "Mathéo", "Éric", "Étienne", "Édouard", "André", "René", "Gérard", "Thierry", "Olivier",
    "Nicolas", "Philippe", "Laurent", "Christophe", "Patrick", "Michel", "Alain", "Bernard", "Yves",
    "Xavier", "Guillaume", "Antoine", "Alexandre", "Maxime", "Julien", "Romain", "Mathieu",
    "Arnaud", "Yannick", "Erwan", "Ronan", "Karim", "Mohamed", "Youssef", "Mamadou", "Moussa",
    "Paul-Henri", "Louis-Marie", "Charles-Édouard", "Aurélien", "Maël", "Bastien", "Damien",
    "Fabrice",
];

/// Last names, including particles and apostrophes.
#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Müller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
    "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard",
    "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger",
    "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
    "Lopez", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin",
    "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
    "Adam", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier",
    "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall",
    "Collet", "Léger", "Bouvier", "Prévost", "Millet", "Perrot", "Le Roux", "Cousin", "Germain",
    "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc",
    "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier",
    "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier",
    "Chevallier", "Chauvin", "Da Silva", "Bouchet", "Lemaître", "Bénard", "Maréchal", "Humbert",
    "Reynaud", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy",
    "Delaunay", "Pasquier", "Carlier", "Laporte", "Le Bihan", "N'Diaye", "D'Almeida", "Le Bris",
    "Le Floch", "Le Guen", "Kerbrat", "Quéré", "D'Almeida", "N'Guyen", "de La Fontaine",
    "de Villiers", "Saint-Martin", "Sainte-Marie", "Diallo", "Traoré", "Ba", "Nguyen", "Benali",
    "Haddad", "Mansouri", "Kouassi", "Ly", "Lefèvre-Pontalis", "Œuvrard", "Béhague", "L'Hermite",
    "D'Souza",
];

/// Street names, with their type ("rue", "avenue"…).
#[rustfmt::skip]
pub const STREETS: &[&str] = &[
    "rue Victor Hugo", "avenue de la République", "boulevard Jean Jaurès",
    "place du Général de Gaulle", "rue de la Paix", "rue Pasteur", "allée des Tilleuls",
    "rue du Maréchal Foch", "chemin des Vignes", "rue Sainte-Catherine", "impasse des Lilas",
    "avenue Émile Zola", "rue d'Alsace", "cours Lafayette", "rue de l'Église", "rue Nationale",
    "rue des Écoles", "boulevard Haussmann", "rue Gambetta", "avenue Jean Moulin",
    "rue Jules Ferry", "place de la Mairie", "rue du Commerce", "quai des Chartrons",
    "rue de la Gare", "avenue du Président Wilson", "rue Saint-Honoré", "rue des Forges",
];

/// Firm name patterns: `{L}` a last name, `{M}` a second one, `{C}` the city of the main bureau.
pub const FIRM_NAME_PATTERNS: &[&str] = &[
    "Cabinet {L}",
    "{L} & Associés",
    "{L} Expertise Comptable",
    "Fiduciaire {L}",
    "{L}-{M} Conseil",
    "Audit & Conseil {C}",
    "{L} Gestion",
    "Société d'expertise {L} et {M}",
    "Expertise {C}",
];

/// Postal codes and cities of a region's main towns (overseas codes start with 97, Corsica's with 20).
#[rustfmt::skip]
pub fn places(region_code: &str) -> &'static [(&'static str, &'static str)] {
    match region_code {
        "alsace" => &[("67000", "Strasbourg"), ("68100", "Mulhouse"), ("68000", "Colmar"), ("67500", "Haguenau")],
        "aquitaine" => &[("33000", "Bordeaux"), ("64000", "Pau"), ("64100", "Bayonne"), ("24000", "Périgueux"), ("47000", "Agen")],
        "auvergne" => &[("63000", "Clermont-Ferrand"), ("03100", "Montluçon"), ("15000", "Aurillac"), ("43000", "Le Puy-en-Velay")],
        "bourgogne-franche-comte" => &[("21000", "Dijon"), ("25000", "Besançon"), ("71100", "Chalon-sur-Saône"), ("89000", "Auxerre"), ("90000", "Belfort")],
        "bretagne" => &[("35000", "Rennes"), ("29200", "Brest"), ("56100", "Lorient"), ("22000", "Saint-Brieuc"), ("29000", "Quimper")],
        "champagne" => &[("51100", "Reims"), ("10000", "Troyes"), ("51000", "Châlons-en-Champagne"), ("52000", "Chaumont")],
        "corse" => &[("20000", "Ajaccio"), ("20200", "Bastia"), ("20260", "Calvi"), ("20137", "Porto-Vecchio")],
        "guadeloupe" => &[("97110", "Pointe-à-Pitre"), ("97100", "Basse-Terre"), ("97122", "Baie-Mahault"), ("97190", "Le Gosier")],
        "guyane" => &[("97300", "Cayenne"), ("97310", "Kourou"), ("97320", "Saint-Laurent-du-Maroni"), ("97354", "Rémire-Montjoly")],
        "la-reunion" => &[("97400", "Saint-Denis"), ("97410", "Saint-Pierre"), ("97460", "Saint-Paul"), ("97430", "Le Tampon")],
        "lille-nord-pas-de-calais" => &[("59000", "Lille"), ("59100", "Roubaix"), ("62000", "Arras"), ("59300", "Valenciennes"), ("62100", "Calais")],
        "limousin" => &[("87000", "Limoges"), ("19100", "Brive-la-Gaillarde"), ("23000", "Guéret"), ("19000", "Tulle")],
        "lorraine" => &[("54000", "Nancy"), ("57000", "Metz"), ("88000", "Épinal"), ("55100", "Verdun")],
        "marseille-paca" => &[("13001", "Marseille"), ("06000", "Nice"), ("13100", "Aix-en-Provence"), ("83000", "Toulon"), ("84000", "Avignon")],
        "martinique" => &[("97200", "Fort-de-France"), ("97232", "Le Lamentin"), ("97230", "Sainte-Marie"), ("97290", "Le Marin")],
        "montpellier" => &[("34000", "Montpellier"), ("30000", "Nîmes"), ("66000", "Perpignan"), ("34500", "Béziers"), ("11000", "Carcassonne")],
        "normandie" => &[("14000", "Caen"), ("50100", "Cherbourg-en-Cotentin"), ("61000", "Alençon"), ("50000", "Saint-Lô")],
        "pays-de-loire" => &[("44000", "Nantes"), ("49000", "Angers"), ("72000", "Le Mans"), ("44600", "Saint-Nazaire"), ("53000", "Laval")],
        "picardie-ardennes" => &[("80000", "Amiens"), ("02100", "Saint-Quentin"), ("60000", "Beauvais"), ("08000", "Charleville-Mézières")],
        "poitou-charentes-vendee" => &[("86000", "Poitiers"), ("17000", "La Rochelle"), ("79000", "Niort"), ("16000", "Angoulême"), ("85000", "La Roche-sur-Yon")],
        "rhone-alpes" => &[("69002", "Lyon"), ("69003", "Lyon"), ("38000", "Grenoble"), ("42000", "Saint-Étienne"), ("74000", "Annecy"), ("73000", "Chambéry")],
        "rouen-normandie" => &[("76000", "Rouen"), ("76600", "Le Havre"), ("27000", "Évreux"), ("76200", "Dieppe")],
        "toulouse-midi-pyrenees" => &[("31000", "Toulouse"), ("65000", "Tarbes"), ("81000", "Albi"), ("12000", "Rodez"), ("82000", "Montauban")],
        // Île-de-France, and any region added by import since the list was written.
        _ => &[
            ("75008", "Paris"), ("75002", "Paris"), ("75015", "Paris"),
            ("92100", "Boulogne-Billancourt"), ("92400", "Courbevoie"), ("93100", "Montreuil"),
            ("78000", "Versailles"), ("94300", "Vincennes"),
        ],
    }
}

/// Relative number of members per region, roughly the councils' sizes; unknown regions get 2.
pub fn region_weight(region_code: &str) -> u32 {
    match region_code {
        "paris-ile-de-france" => 30,
        "rhone-alpes" => 10,
        "marseille-paca" => 8,
        "aquitaine" | "toulouse-midi-pyrenees" | "lille-nord-pas-de-calais" | "pays-de-loire" => 5,
        "bretagne" | "montpellier" => 4,
        "alsace" | "lorraine" | "bourgogne-franche-comte" | "poitou-charentes-vendee" => 3,
        "limousin" | "corse" | "la-reunion" | "guadeloupe" | "martinique" | "guyane" => 1,
        _ => 2,
    }
}

/// Relative number of members per register qualité; qualités absent here are not generated.
pub const QUALITY_WEIGHTS: &[(&str, u32)] = &[
    ("expert_comptable_independant", 34),
    ("expert_comptable_salarie", 20),
    ("stagiaire", 12),
    ("memorialiste", 4),
    ("expert_comptable_honoraire", 8),
    ("salarie_agc_83ter", 5),
    ("salarie_agc_83quater", 3),
    ("president_directeur_agc", 2),
    ("diplome_non_inscrit", 9),
    ("permanent", 3),
];

/// Domains of the members' addresses: all under `.example` (RFC 2606), so that no demo email
/// can ever reach a real mailbox.
pub const EMAIL_DOMAINS: &[&str] = &[
    "expert-comptable.example",
    "cabinet.example",
    "courriel.example",
    "mail.example",
];

/// Domains of the older addresses some regional files still hold (the email-conflict case).
pub const FILE_EMAIL_DOMAINS: &[&str] = &["ancien-cabinet.example", "messagerie.example"];
