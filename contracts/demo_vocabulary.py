"""Words the demo hub is built from: authorities, pillars, categories, people, vendors, titles.

Fictional throughout. Phone numbers are in Ofcom's ranges reserved for drama (01632 960xxx,
07700 900xxx) and e-mail domains end in `.example.gov.uk`, so nothing here reaches a real person.
"""

AUTHORITIES = (
    # (code, name, e-mail domain)
    ("wcc", "Wessex County Council", "wessex.example.gov.uk"),
    ("adc", "Avonvale District Council", "avonvale.example.gov.uk"),
)

# Pillar name → its categories: (code, name, CPV codes, typical contract value in pounds).
PILLARS = {
    "Health, Education and Social Care": (
        ("ASC", "Adult Social Care", ("85310000-5", "85311000-2"), 2_500_000),
        ("CHS", "Children's Services", ("85311300-5", "80000000-4"), 1_200_000),
        ("EDU", "Education and Schools", ("80100000-5", "55524000-9"), 600_000),
        ("PHL", "Public Health", ("85100000-0", "85323000-9"), 800_000),
        ("HSG", "Housing and Homelessness", ("70333000-4", "98341000-5"), 900_000),
    ),
    "Environment and Infrastructure": (
        ("HWY", "Highways and Street Lighting", ("45233000-9", "50232100-1"), 4_000_000),
        ("WST", "Waste and Recycling", ("90500000-2", "90511000-2"), 6_000_000),
        ("FLT", "Fleet and Passenger Transport", ("60100000-9", "34100000-8"), 1_500_000),
        ("CON", "Construction and Capital Works", ("45000000-7", "71000000-8"), 5_000_000),
        ("ENE", "Energy and Utilities", ("09310000-5", "65100000-4"), 3_000_000),
    ),
    "Corporate and Commercial": (
        ("ITS", "IT Services and Software", ("72000000-5", "48000000-8"), 700_000),
        ("FAC", "Facilities Management", ("90910000-9", "79710000-4"), 900_000),
        ("OFF", "Office Supplies and Print", ("30192000-1", "79800000-2"), 150_000),
        ("PRO", "Professional Services", ("79000000-4", "79411000-8"), 400_000),
        ("HRS", "HR, Recruitment and Training", ("79600000-0", "80500000-9"), 300_000),
    ),
}

# Contract titles per category; the seed adds an area, a lot or a year range to vary them.
TITLES = {
    "ASC": (
        "Home care and reablement",
        "Residential and nursing care placements",
        "Supported living for adults with learning disabilities",
        "Day opportunities for older people",
        "Carers' support service",
        "Community equipment service",
        "Telecare monitoring and response",
        "Advocacy services",
        "Extra care housing support",
        "Direct payments support service",
    ),
    "CHS": (
        "Independent fostering agency placements",
        "Children's residential care",
        "Short breaks for disabled children",
        "Family support and early help",
        "Youth services",
        "Care leavers' accommodation",
        "Special educational needs transport",
        "Parenting programmes",
    ),
    "EDU": (
        "School meals",
        "School cleaning",
        "Educational psychology services",
        "Alternative provision",
        "School improvement support",
        "Music education hub services",
        "School uniform grants administration",
        "Outdoor education centre management",
    ),
    "PHL": (
        "Integrated sexual health service",
        "Drug and alcohol treatment service",
        "Stop smoking service",
        "Health visiting and school nursing",
        "NHS health checks",
        "Weight management programme",
        "Infection prevention and control advice",
    ),
    "HSG": (
        "Temporary accommodation",
        "Homelessness prevention service",
        "Rough sleeper outreach",
        "Disabled facilities grant works",
        "Housing-related floating support",
        "Refuge accommodation",
    ),
    "HWY": (
        "Highways term maintenance",
        "Street lighting maintenance and LED upgrade",
        "Winter gritting and salt supply",
        "Surface dressing programme",
        "Traffic signal maintenance",
        "Bridge inspection and structures",
        "Road markings and studs",
        "Drainage and gully cleansing",
    ),
    "WST": (
        "Household waste collection",
        "Recycling centres operation",
        "Food waste treatment",
        "Garden waste composting",
        "Residual waste treatment",
        "Street cleansing",
        "Clinical waste collection",
        "Bulky waste collection",
    ),
    "FLT": (
        "Fleet vehicle leasing",
        "Vehicle maintenance and repair",
        "Home-to-school transport",
        "Supported bus services",
        "Fuel cards",
        "Electric vehicle charge points",
        "Taxi and private hire journeys",
    ),
    "CON": (
        "Minor works framework",
        "School expansion programme",
        "Asbestos surveys and removal",
        "Building condition surveys",
        "Multi-disciplinary design consultancy",
        "Roofing works",
        "Library refurbishment",
        "Flood defence works",
    ),
    "ENE": (
        "Electricity supply",
        "Gas supply",
        "Water and wastewater services",
        "Solar photovoltaic installations",
        "Heat decarbonisation works",
        "Energy metering and bureau services",
    ),
    "ITS": (
        "Managed print service",
        "Microsoft licensing reseller",
        "Network infrastructure support",
        "Cloud hosting services",
        "Cyber security operations centre",
        "End-user devices",
        "Telephony and contact centre platform",
        "Social care case management system",
        "Revenues and benefits system",
        "Mobile voice and data",
        "GIS software licences",
        "Service desk support",
    ),
    "FAC": (
        "Office cleaning",
        "Security guarding",
        "Building maintenance (mechanical and electrical)",
        "Catering at County Hall",
        "Grounds maintenance",
        "Pest control",
        "Lift maintenance",
        "Fire safety equipment servicing",
        "Washroom services",
    ),
    "OFF": (
        "Office stationery",
        "Paper and envelopes",
        "Print and design services",
        "Furniture supply",
        "Postal and courier services",
        "Personal protective equipment",
        "Promotional items",
    ),
    "PRO": (
        "External audit support",
        "Legal services panel",
        "Management consultancy",
        "Insurance broking",
        "Translation and interpreting",
        "Banking services",
        "Valuation services",
        "Debt recovery and enforcement agents",
    ),
    "HRS": (
        "Agency staff (managed service)",
        "Occupational health",
        "Employee assistance programme",
        "Learning management system",
        "Leadership development programme",
        "Executive recruitment",
        "Payroll bureau",
    ),
}

AREAS = (
    "North Wessex",
    "South Wessex",
    "Avonvale",
    "Kingsbridge",
    "Marlcombe",
    "Hartleigh",
    "Eastwick",
    "Thornbury Vale",
    "the coast",
    "county-wide",
)

LOT_NAMES = (
    "Lot 1 – North",
    "Lot 2 – South",
    "Lot 3 – Avonvale",
    "Lot 4 – Specialist",
    "Lot 5 – Urgent call-off",
)

WHO_MAY_USE = (
    "All services of {authorities}.",
    "{authorities}; maintained schools and academies in Wessex may also call off.",
    "Any contracting authority named in the OJEU/Find a Tender notice, including {authorities}.",
    "Services of {authorities} only; talk to the contract manager before placing an order.",
)

HOW_TO_BUY = (
    "Raise a purchase order in the finance system against the contract reference and e-mail it "
    "to the supplier's account manager.",
    "Direct award to the first-ranked supplier in the lot; if they decline within 5 working days "
    "go to the second-ranked supplier.",
    "Run a mini-competition among the framework suppliers using the call-off template in the "
    "user guide; allow at least 10 working days.",
    "Order through the supplier's online catalogue with your purchasing card; the contract "
    "prices are already loaded.",
    "Complete the referral form and send it to the brokerage team, who place the order.",
)

PRICING_BASIS = (
    "Fixed unit rates for the first two years, then indexed annually by CPI.",
    "Hourly rates by grade, with a cap on travel expenses.",
    "Schedule of rates with a volume discount above £100,000 a year.",
    "Catalogue prices with a fixed discount of 12% on list.",
    "Fixed annual fee paid quarterly in arrears.",
    "Pass-through wholesale cost plus a fixed management fee per unit.",
)

DESCRIPTIONS = (
    "{title} for {area}, covering {authorities}.",
    "Provision of {title_lower} across {area}. Replaces an earlier arrangement that expired.",
    "{title} delivered under the hub's standard terms, with quarterly performance reviews.",
    "A call-off arrangement for {title_lower}, including out-of-hours cover and social value "
    "commitments.",
)

FIRST_NAMES = (
    "Amelia", "Oliver", "Priya", "James", "Fatima", "Thomas", "Grace", "Mohammed", "Sophie",
    "Daniel", "Chloe", "Rhys", "Hannah", "Samuel", "Aisha", "George", "Emily", "Kwame", "Lucy",
    "Harry", "Megan", "Joseph", "Olivia", "Adeel", "Charlotte", "William", "Niamh", "Benjamin",
    "Zara", "Matthew", "Isla", "Owen", "Ruth", "Callum", "Eleanor", "Tomasz", "Holly", "Ravi",
    "Jessica", "Patrick", "Bethan", "Marcus", "Anna", "Kieran", "Leah",
)  # fmt: skip

LAST_NAMES = (
    "Hughes", "Patel", "Clarke", "Okafor", "Bennett", "Khan", "Turner", "Davies", "Walsh",
    "Morgan", "Ahmed", "Fletcher", "Evans", "Nowak", "Price", "Shaw", "Mensah", "Harrison",
    "Lloyd", "Campbell", "Wright", "Begum", "Marsh", "Reid", "Thompson", "O'Connor", "Ellis",
    "Singh", "Barker", "Jenkins", "Kowalski", "Hart", "Murray", "Chapman", "Webb", "Francis",
    "Parry", "Osei", "Collins", "Hayes", "Kaur", "Powell", "Doyle", "Stewart", "Foster",
)  # fmt: skip

BUYER_TITLES = (
    "Commissioning Officer, Adult Social Care",
    "School Business Manager",
    "Highways Engineer",
    "Finance Business Partner",
    "Team Manager, Children's Services",
    "Facilities Coordinator",
    "Project Officer, Climate Emergency",
)

# Vendors: names are built from a stem and a sector word, then a legal suffix.
VENDOR_STEMS = (
    "Acorn", "Albion", "Apex", "Ashdown", "Avon", "Beacon", "Bramble", "Bridgewater", "Brunel",
    "Castle", "Cedar", "Chalk", "Channel", "Clearwater", "Cobalt", "Compass", "Copperfield",
    "Crest", "Crown", "Dartmoor", "Delta", "Downland", "Eden", "Elm", "Exmoor", "Falcon",
    "Fernhill", "Forge", "Fosse", "Granite", "Greenway", "Harbour", "Hawthorn", "Heron",
    "Highfield", "Horizon", "Keystone", "Kingfisher", "Lantern", "Lighthouse", "Linden",
    "Meridian", "Millbrook", "Nexus", "Northgate", "Oak", "Orchard", "Osprey", "Pennant",
    "Pinnacle", "Quantock", "Radius", "Redwood", "Ridgeway", "Riverside", "Rowan", "Saxon",
    "Severn", "Solent", "Sovereign", "Summit", "Tamar", "Thistle", "Vale", "Vanguard",
    "Vertex", "Wessex", "Westcountry", "Willow", "Wyvern",
)  # fmt: skip

# Category code → sector words for its vendors' names.
VENDOR_SECTORS = {
    "ASC": ("Care", "Homecare", "Care Homes", "Support Services", "Living"),
    "CHS": ("Fostering", "Family Services", "Children's Homes", "Youth Trust"),
    "EDU": ("Education", "Learning", "School Services", "Catering"),
    "PHL": ("Health", "Wellbeing", "Recovery", "Community Health"),
    "HSG": ("Housing", "Homes", "Housing Association", "Shelter"),
    "HWY": ("Highways", "Surfacing", "Lighting", "Civil Engineering"),
    "WST": ("Waste", "Recycling", "Environmental", "Resource Management"),
    "FLT": ("Coaches", "Fleet", "Motors", "Travel", "Transport"),
    "CON": ("Construction", "Builders", "Contractors", "Surveyors", "Design"),
    "ENE": ("Energy", "Power", "Utilities", "Renewables"),
    "ITS": ("Digital", "Systems", "Technology", "Networks", "Software", "IT"),
    "FAC": ("Cleaning", "Facilities", "Security", "Maintenance", "Grounds"),
    "OFF": ("Office Supplies", "Print", "Stationers", "Furniture"),
    "PRO": ("Consulting", "Advisory", "Legal", "Associates", "Partners"),
    "HRS": ("Recruitment", "People", "Training", "Resourcing", "Talent"),
}

VENDOR_SUFFIXES = ("Ltd", "Limited", "Ltd", "Limited", "plc", "LLP", "Group Ltd", "UK Ltd")
VCSE_SUFFIXES = ("CIC", "Trust", "Charitable Trust", "Community Interest Company")

DIVERSITY_CERTIFICATIONS = (
    "Disability Confident Leader",
    "Living Wage Employer",
    "B Corp",
    "Social Enterprise Mark",
    "Minority-owned business (MSDUK)",
    "Women-owned business (WEConnect)",
)

STREETS = (
    "Mill Lane", "High Street", "Station Road", "Church Street", "Victoria Road", "Park Road",
    "Queen Street", "Riverside Way", "Enterprise Park", "Kingsway", "Commercial Road",
    "The Business Centre, Long Lane",
)  # fmt: skip

TOWNS = (
    ("Taunton", "TA1"), ("Yeovil", "BA20"), ("Bristol", "BS1"), ("Bath", "BA1"),
    ("Exeter", "EX1"), ("Salisbury", "SP1"), ("Dorchester", "DT1"), ("Swindon", "SN1"),
    ("Reading", "RG1"), ("Birmingham", "B1"), ("Cardiff", "CF10"), ("London", "EC1A"),
)  # fmt: skip

CONTACT_ROLES = (
    "Account manager",
    "Contract manager",
    "Escalation contact",
    "Bid manager",
    "Operations director",
    "Customer services",
)
