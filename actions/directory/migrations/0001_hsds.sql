-- 0001: the Open Referral HSDS 3.0 tables, one per resource of the tabular datapackage
-- (actions/directory/hsds_schema/datapackage.json). Columns keep the standard's names; dates,
-- times and date-times are ISO 8601 text, numbers REAL. References are checked by the importer
-- (required ones are errors, optional dangling ones warnings), so no FOREIGN KEY clauses here.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    alternate_name TEXT,
    description TEXT NOT NULL,
    email TEXT,
    website TEXT,
    tax_status TEXT,
    tax_id TEXT,
    year_incorporated REAL,
    legal_status TEXT,
    logo TEXT,
    uri TEXT,
    parent_organization_id TEXT
);

CREATE TABLE programs (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    name TEXT NOT NULL,
    alternate_name TEXT,
    description TEXT NOT NULL
);

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    program_id TEXT,
    name TEXT NOT NULL,
    alternate_name TEXT,
    description TEXT,
    url TEXT,
    email TEXT,
    status TEXT NOT NULL,
    interpretation_services TEXT,
    application_process TEXT,
    fees_description TEXT,
    wait_time TEXT,
    fees TEXT,
    accreditations TEXT,
    eligibility_description TEXT,
    minimum_age REAL,
    maximum_age REAL,
    assured_date TEXT,
    assurer_email TEXT,
    licenses TEXT,
    alert TEXT,
    last_modified TEXT
);

CREATE TABLE attributes (
    id TEXT PRIMARY KEY NOT NULL,
    link_id TEXT NOT NULL,
    taxonomy_term_id TEXT NOT NULL,
    link_type TEXT,
    link_entity TEXT NOT NULL,
    value TEXT
);

CREATE TABLE service_at_location (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    description TEXT
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY NOT NULL,
    location_type TEXT NOT NULL,
    url TEXT,
    organization_id TEXT,
    name TEXT,
    alternate_name TEXT,
    description TEXT,
    transportation TEXT,
    latitude REAL,
    longitude REAL,
    external_identifier TEXT,
    external_identifier_type TEXT
);

CREATE TABLE phones (
    id TEXT PRIMARY KEY NOT NULL,
    location_id TEXT,
    service_id TEXT,
    organization_id TEXT,
    contact_id TEXT,
    service_at_location_id TEXT,
    number TEXT NOT NULL,
    extension REAL,
    type TEXT,
    description TEXT
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT,
    service_id TEXT,
    service_at_location_id TEXT,
    location_id TEXT,
    name TEXT,
    title TEXT,
    department TEXT,
    email TEXT
);

CREATE TABLE addresses (
    id TEXT PRIMARY KEY NOT NULL,
    location_id TEXT,
    attention TEXT,
    address_1 TEXT NOT NULL,
    address_2 TEXT,
    city TEXT NOT NULL,
    region TEXT,
    state_province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    address_type TEXT NOT NULL
);

CREATE TABLE schedules (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT,
    location_id TEXT,
    service_at_location_id TEXT,
    valid_from TEXT,
    valid_to TEXT,
    dtstart TEXT,
    timezone REAL,
    until TEXT,
    count REAL,
    wkst TEXT,
    freq TEXT,
    interval REAL,
    byday TEXT,
    byweekno TEXT,
    bymonthday TEXT,
    byyearday TEXT,
    description TEXT,
    opens_at TEXT,
    closes_at TEXT,
    schedule_link TEXT,
    attending_type TEXT,
    notes TEXT
);

CREATE TABLE funding (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT,
    service_id TEXT,
    source TEXT
);

CREATE TABLE service_areas (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT,
    name TEXT,
    description TEXT,
    extent TEXT,
    extent_type TEXT,
    uri TEXT
);

CREATE TABLE required_documents (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT,
    document TEXT,
    uri TEXT
);

CREATE TABLE languages (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT,
    location_id TEXT,
    phone_id TEXT,
    name TEXT,
    code TEXT,
    note TEXT
);

CREATE TABLE accessibility (
    id TEXT PRIMARY KEY NOT NULL,
    location_id TEXT,
    description TEXT,
    details TEXT,
    url TEXT
);

CREATE TABLE taxonomy_terms (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_id TEXT,
    taxonomy TEXT,
    language TEXT,
    taxonomy_id TEXT,
    term_uri TEXT
);

CREATE TABLE metadata (
    id TEXT PRIMARY KEY NOT NULL,
    resource_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    last_action_date TEXT NOT NULL,
    last_action_type TEXT NOT NULL,
    field_name TEXT NOT NULL,
    previous_value TEXT NOT NULL,
    replacement_value TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE meta_table_descriptions (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT,
    language TEXT,
    character_set TEXT
);

CREATE TABLE cost_options (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    option TEXT,
    currency TEXT,
    amount REAL,
    amount_description TEXT
);

CREATE TABLE organization_identifiers (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL,
    identifier_scheme TEXT,
    identifier_type TEXT NOT NULL,
    identifier TEXT NOT NULL
);

CREATE TABLE taxonomies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    uri TEXT,
    version TEXT
);

CREATE INDEX organizations_tax_id ON organizations (tax_id);
CREATE INDEX organizations_parent_organization_id ON organizations (parent_organization_id);
CREATE INDEX programs_organization_id ON programs (organization_id);
CREATE INDEX services_organization_id ON services (organization_id);
CREATE INDEX services_program_id ON services (program_id);
CREATE INDEX attributes_link_id ON attributes (link_id);
CREATE INDEX attributes_taxonomy_term_id ON attributes (taxonomy_term_id);
CREATE INDEX service_at_location_service_id ON service_at_location (service_id);
CREATE INDEX service_at_location_location_id ON service_at_location (location_id);
CREATE INDEX locations_organization_id ON locations (organization_id);
CREATE INDEX phones_location_id ON phones (location_id);
CREATE INDEX phones_service_id ON phones (service_id);
CREATE INDEX phones_organization_id ON phones (organization_id);
CREATE INDEX phones_contact_id ON phones (contact_id);
CREATE INDEX phones_service_at_location_id ON phones (service_at_location_id);
CREATE INDEX contacts_organization_id ON contacts (organization_id);
CREATE INDEX contacts_service_id ON contacts (service_id);
CREATE INDEX contacts_service_at_location_id ON contacts (service_at_location_id);
CREATE INDEX contacts_location_id ON contacts (location_id);
CREATE INDEX addresses_location_id ON addresses (location_id);
CREATE INDEX schedules_service_id ON schedules (service_id);
CREATE INDEX schedules_location_id ON schedules (location_id);
CREATE INDEX schedules_service_at_location_id ON schedules (service_at_location_id);
CREATE INDEX funding_organization_id ON funding (organization_id);
CREATE INDEX funding_service_id ON funding (service_id);
CREATE INDEX service_areas_service_id ON service_areas (service_id);
CREATE INDEX required_documents_service_id ON required_documents (service_id);
CREATE INDEX languages_service_id ON languages (service_id);
CREATE INDEX languages_location_id ON languages (location_id);
CREATE INDEX languages_phone_id ON languages (phone_id);
CREATE INDEX accessibility_location_id ON accessibility (location_id);
CREATE INDEX taxonomy_terms_parent_id ON taxonomy_terms (parent_id);
CREATE INDEX taxonomy_terms_taxonomy_id ON taxonomy_terms (taxonomy_id);
CREATE INDEX metadata_resource_id ON metadata (resource_id);
CREATE INDEX cost_options_service_id ON cost_options (service_id);
CREATE INDEX organization_identifiers_organization_id ON organization_identifiers (organization_id);
