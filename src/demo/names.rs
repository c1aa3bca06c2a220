//! Real names for synthetic features: communes of the Montpellier area,
//! French street names, ERP names by official type.

use super::geom::Pt;

pub struct Commune {
    pub insee: &'static str,
    pub name: &'static str,
    pub postcode: &'static str,
    /// Approximate town centre in Lambert-93.
    pub centre: Pt,
}

/// Communes around Montpellier, with approximate Lambert-93 centres.
pub const COMMUNES: &[Commune] = &[
    Commune { insee: "34172", name: "Montpellier", postcode: "34000", centre: (770900.0, 6279400.0) },
    Commune { insee: "34057", name: "Castelnau-le-Lez", postcode: "34170", centre: (773900.0, 6282300.0) },
    Commune { insee: "34129", name: "Lattes", postcode: "34970", centre: (771800.0, 6274300.0) },
    Commune { insee: "34123", name: "Juvignac", postcode: "34990", centre: (764900.0, 6281300.0) },
    Commune { insee: "34116", name: "Grabels", postcode: "34790", centre: (765300.0, 6285000.0) },
    Commune { insee: "34270", name: "Saint-Jean-de-Védas", postcode: "34430", centre: (765800.0, 6276300.0) },
    Commune { insee: "34077", name: "Clapiers", postcode: "34830", centre: (772800.0, 6285400.0) },
    Commune { insee: "34090", name: "Le Crès", postcode: "34920", centre: (776600.0, 6282600.0) },
    Commune { insee: "34169", name: "Montferrier-sur-Lez", postcode: "34980", centre: (769600.0, 6286200.0) },
    Commune { insee: "34198", name: "Pérols", postcode: "34470", centre: (775700.0, 6273300.0) },
];

/// The commune a point falls in: nearest centre, with Montpellier's reach
/// stretched because it is much larger than its neighbours.
pub fn commune_at(p: Pt) -> &'static Commune {
    COMMUNES
        .iter()
        .min_by(|a, b| {
            let w = |c: &Commune| if c.insee == "34172" { 0.45 } else { 1.0 };
            let d = |c: &Commune| ((p.0 - c.centre.0).powi(2) + (p.1 - c.centre.1).powi(2)).sqrt() * w(c);
            d(a).total_cmp(&d(b))
        })
        .expect("the commune list is not empty")
}

/// Montpellier's postcodes depend on the district.
pub fn postcode_at(commune: &Commune, p: Pt) -> &'static str {
    if commune.insee != "34172" {
        return commune.postcode;
    }
    let (dx, dy) = (p.0 - commune.centre.0, p.1 - commune.centre.1);
    if (dx * dx + dy * dy).sqrt() < 1500.0 {
        return "34000";
    }
    let angle = dy.atan2(dx).to_degrees();
    match angle {
        a if (-150.0..-30.0).contains(&a) => "34070",
        a if !(-150.0..90.0).contains(&a) => "34080",
        a if (30.0..90.0).contains(&a) => "34090",
        _ => "34000",
    }
}

pub const STREET_TYPES_URBAN: &[(&str, u32)] = &[
    ("Rue", 50),
    ("Avenue", 14),
    ("Boulevard", 4),
    ("Impasse", 10),
    ("Allée", 8),
    ("Place", 3),
    ("Passage", 3),
    ("Chemin", 5),
    ("Cours", 1),
    ("Quai", 1),
    ("Square", 1),
];

pub const STREET_TYPES_RURAL: &[(&str, u32)] = &[
    ("Chemin", 40),
    ("Route", 15),
    ("Rue", 20),
    ("Impasse", 10),
    ("Allée", 8),
    ("Avenue", 5),
    ("Lotissement", 2),
];

/// Street names, with their article (`de la`, `des`…) or a person's name.
pub const STREET_NAMES: &[&str] = &[
    "Jean Jaurès", "Victor Hugo", "Jean Moulin", "Louis Pasteur", "Pierre et Marie Curie",
    "Jules Ferry", "Émile Zola", "Frédéric Mistral", "Paul Valéry", "Auguste Comte",
    "Albert Camus", "Georges Clemenceau", "du Général de Gaulle", "Henri IV", "Jacques Cœur",
    "Gambetta", "Lamartine", "Voltaire", "Molière", "Rabelais", "Pétrarque", "Saint-Guilhem",
    "Paul Riquet", "Jean-Jacques Rousseau", "Alphonse Daudet", "Anatole France", "Gustave Eiffel",
    "Marcel Pagnol", "Jean Monnet", "Robert Schuman", "Simone Veil", "Olympe de Gouges",
    "Lucie Aubrac", "Louise Michel", "George Sand", "Colette", "Clément Ader", "Jean Mermoz",
    "Antoine de Saint-Exupéry", "Vincent Auriol", "Léon Blum", "Aristide Briand", "Raspail",
    "Foch", "Joffre", "de la Liberté", "de la République", "de la Paix", "de l'Europe",
    "du Pic Saint-Loup", "de Palavas", "de Ganges", "de Nîmes", "de Toulouse", "de Lodève",
    "de Sète", "de la Mer", "du Lez", "de la Mosson", "des Cévennes", "de Mende", "d'Alco",
    "de Lavérune", "de Saint-Gély", "de Castries", "de Mauguio", "de Carnon", "de Figuerolles",
    "de la Pompignane", "de la Croix de Lavit", "du Triolet", "des Arceaux", "de Boutonnet",
    "des Oliviers", "des Pins", "des Mûriers", "des Amandiers", "des Lauriers", "des Cigales",
    "des Garrigues", "des Vignes", "des Micocouliers", "des Platanes", "du Mas", "de la Croix",
    "des Écoles", "de la Gare", "de l'Église", "du Moulin", "de la Fontaine", "des Lavandes",
    "du Château", "des Tilleuls", "des Acacias", "des Chênes verts", "des Romarins", "du Thym",
    "des Capitelles", "des Mazets", "des Arbousiers", "des Genêts", "des Cyprès", "des Figuiers",
    "des Grenadiers", "de la Source", "du Puits", "des Aires", "de la Treille", "du Stade",
    "des Jardins", "des Sports", "du Parc", "de la Mairie", "du Marché", "des Artisans",
    "de l'Industrie", "du Commerce", "des Tanneurs", "des Drapiers", "des Teinturiers",
    "de l'Aiguillerie", "de la Loge", "de l'Université", "des Étuves", "du Pila Saint-Gély",
    "de l'Agriculture", "de la Vigne", "des Vendanges", "du Vin", "de la Cave coopérative",
];

/// The official ERP types (arrêté du 25 juin 1980) with their relative frequency.
pub const ERP_TYPES: &[(&str, u32)] = &[
    ("M", 240), ("N", 180), ("W", 120), ("R", 90), ("U", 80), ("L", 50), ("X", 40),
    ("O", 35), ("J", 30), ("V", 30), ("PA", 25), ("S", 15), ("P", 12), ("T", 10),
    ("Y", 8), ("GA", 5), ("CTS", 3), ("SG", 2), ("EF", 2), ("OA", 1), ("REF", 1),
];

/// Name stems for each ERP type.
pub fn erp_stems(kind: &str) -> &'static [&'static str] {
    match kind {
        "J" => &["EHPAD", "Résidence autonomie", "Foyer d'accueil médicalisé", "Maison d'accueil spécialisée"],
        "L" => &["Salle polyvalente", "Salle des fêtes", "Théâtre", "Cinéma", "Salle de conférences"],
        "M" => &["Boulangerie", "Pharmacie", "Supermarché", "Boutique", "Librairie", "Fleuriste", "Épicerie", "Quincaillerie", "Centre commercial"],
        "N" => &["Restaurant", "Café", "Brasserie", "Bar", "Pizzeria", "Crêperie"],
        "O" => &["Hôtel", "Résidence hôtelière", "Auberge"],
        "P" => &["Salle de danse", "Bowling", "Salle de jeux"],
        "R" => &["École maternelle", "École élémentaire", "Collège", "Lycée", "Crèche", "Centre de formation"],
        "S" => &["Médiathèque", "Bibliothèque", "Centre de documentation"],
        "T" => &["Galerie", "Salle d'exposition", "Hall d'exposition"],
        "U" => &["Cabinet médical", "Clinique", "Centre de santé", "Maison de santé", "Laboratoire d'analyses"],
        "V" => &["Église", "Temple", "Chapelle", "Mosquée", "Synagogue"],
        "W" => &["Mairie annexe", "Bureau de poste", "Banque", "Agence", "Centre des finances publiques", "Maison de quartier"],
        "X" => &["Gymnase", "Piscine", "Salle de sport", "Dojo", "Halle des sports"],
        "Y" => &["Musée", "Maison du patrimoine"],
        "PA" => &["Stade", "Terrain de sport", "Parc", "Arènes", "Skatepark"],
        "CTS" => &["Chapiteau", "Tente de réception"],
        "SG" => &["Structure gonflable"],
        "EF" => &["Péniche"],
        "OA" => &["Hôtel-restaurant d'altitude"],
        "REF" => &["Refuge"],
        "GA" => &["Gare", "Halte ferroviaire", "Gare routière"],
        _ => &["Établissement"],
    }
}

/// Name tails: saints, people, places, trees.
pub const ERP_TAILS: &[&str] = &[
    "Jean Jaurès", "Victor Hugo", "Les Oliviers", "Les Pins", "du Lez", "des Arceaux", "Antigone",
    "Port Marianne", "Les Aubes", "Boutonnet", "Figuerolles", "Les Beaux-Arts", "La Paillade",
    "Saint-Roch", "Sainte-Anne", "Saint-Pierre", "Jules Ferry", "Louise Michel", "George Sand",
    "Jacques Cœur", "La Comédie", "du Parc", "des Cigales", "Pasteur", "Mistral", "Les Garrigues",
    "du Millénaire", "Odysseum", "Richter", "Les Près d'Arènes", "Celleneuve", "Hôpitaux-Facultés",
    "Clemenceau", "Voltaire", "Molière", "Rabelais", "Mosson", "Croix d'Argent", "Lemasson",
];
