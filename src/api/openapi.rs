//! The OpenAPI document: its head, the shared parts (the bearer scheme, the problem
//! responses every operation points to), and the finishing touches derived from each
//! operation's own attributes (its roles; the errors every request can meet).

use std::collections::BTreeMap;

use actix_web::App;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, Required};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi as _, PartialSchema, ToResponse};
use utoipa_actix_web::AppExt;

use super::configure;
use crate::error::{PROBLEM_CONTENT_TYPE, Problem};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "klachtenregister",
        description = "Runs a firm's complaint procedure (klachtenregeling): registration and \
            classification of complaints (klachten), errors (fouten) and improvement \
            opportunities (verbetermogelijkheden), handling within the response term, written \
            confirmation, the two signatures on the registration form, improvement actions and \
            the periodic evaluation in the office meeting.\n\nErrors are RFC 9457 problem \
            documents with a stable `code`. Writes honour `If-Match`; creating requests honour \
            `Idempotency-Key`.",
        license(name = "MIT"),
    ),
    security(("bearer" = [])),
    components(schemas(crate::workers::webhooks::WebhookEvent)),
    tags(
        (name = "me", description = "The caller"),
        (name = "complaints", description = "The complaint registration form (klachtenregistratieformulier)"),
        (name = "classification", description = "Channel A/B and categories I–IV"),
        (name = "contacts", description = "Contact moments with the client and the response term"),
        (name = "procedure", description = "Escalation, decision, written confirmation, signatures, closure"),
        (name = "actions", description = "Corrective and improvement actions: approval, progress, side effects, follow-up measures"),
        (name = "overview", description = "The overview and printable report for the office meeting"),
        (name = "evaluations", description = "The periodic evaluation of the office meeting"),
        (name = "documents", description = "The klachtendossier's documents and its read log"),
        (name = "events", description = "The tamper-evident timeline"),
        (name = "webhooks", description = "Subscriptions of practice-management software to the register's events, and their delivery logs"),
        (name = "privacy", description = "The rights of the people a complaint is about (AVG): subject access, erasure of a finished complaint's personal data, and the retention term"),
        (name = "organisation", description = "The organisation, its procedure settings and its staff"),
        (name = "public", description = "What needs no token: the klachtenregeling handed to clients"),
        (name = "health", description = "Liveness and readiness for orchestrators"),
    ),
)]
struct ApiDoc;

/// The OpenAPI document, as committed at `openapi/openapi.json`.
pub fn openapi() -> OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    Components.modify(&mut document);
    OperationDefaults.modify(&mut document);
    document
}

/// Declares a reusable problem response: `(status = 404, response = NotFound)`.
macro_rules! problem_responses {
    ($($name:ident: $description:literal,)+) => {
        $(
            pub struct $name;

            impl<'s> ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem_response($description).into())
                }
            }
        )+

        fn all_problem_responses() -> Vec<(String, RefOr<Response>)> {
            vec![$((stringify!($name).to_owned(), problem_response($description).into())),+]
        }
    };
}

problem_responses! {
    BadRequest: "Malformed request: unreadable JSON, a bad path, query or header value, or a bad cursor",
    Unauthorized: "No bearer token, or one that is expired, forged or otherwise invalid",
    Forbidden: "The caller's role or part in the complaint does not allow this; `code` names the rule",
    NotFound: "No such resource, or one the caller may not see",
    Conflict: "The procedure does not allow this step now; `code` names the rule",
    PreconditionFailed: "`If-Match` names a version that is no longer current",
    PayloadTooLarge: "The request body exceeds the configured limit",
    UnsupportedMediaType: "The request body is not of a media type this operation accepts",
    Unprocessable: "Invalid field values (`errors` lists each) or a reused `Idempotency-Key`",
    ServiceUnavailable: "The database cannot be reached; retry after the `Retry-After` seconds",
    HeadersTooLarge: "The request's headers exceed 16 KiB",
    TooManyRequests: "The caller's writes (or, on a public page, the client address's requests) exceed the configured rate; retry after the `Retry-After` seconds",
    PreconditionRequired: "No `If-Match`: send the `ETag` of the version you read (`GET`), so that no one else's change is overwritten",
}

fn problem_response(description: &str) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
    );
    if description.starts_with("No bearer token") {
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(String::schema()))
                .description(Some("`Bearer`, with `error=\"invalid_token\"` for a rejected token"))
                .build(),
        );
    }
    response.build()
}

/// The header parameters of a command on a resource: `If-Match` and `Idempotency-Key`. (The
/// resource's id is taken from the handler's path.)
fn command_params(resource: &str) -> Vec<Parameter> {
    let parameter = |name: &str, place, required, description: String, schema| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(place)
            .required(required)
            .description(Some(description))
            .schema(Some(schema))
            .build()
    };
    vec![
        parameter(
            "If-Match",
            ParameterIn::Header,
            Required::False,
            format!("The {resource}'s ETag this is based on; 412 when it is no longer current"),
            String::schema(),
        ),
        parameter(
            "Idempotency-Key",
            ParameterIn::Header,
            Required::False,
            "Makes retries safe: the same key and body get the first answer".to_owned(),
            String::schema(),
        ),
    ]
}

/// What a command on a resource answers: the resource as it now stands (schema `view`), or
/// why the command was refused.
fn command_responses(view: &str) -> BTreeMap<String, RefOr<Response>> {
    let taken = ResponseBuilder::new()
        .description("Done; the resource as it now stands")
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name(view))).build(),
        )
        .header(
            "ETag",
            HeaderBuilder::new()
                .schema(Some(String::schema()))
                .description(Some("The new version, quoted"))
                .build(),
        )
        .build();
    let mut responses = BTreeMap::from([("200".to_owned(), RefOr::T(taken))]);
    for (status, name) in [
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("409", "Conflict"),
        ("412", "PreconditionFailed"),
        ("422", "Unprocessable"),
    ] {
        responses.insert(status.to_owned(), RefOr::Ref(Ref::from_response_name(name)));
    }
    responses
}

/// `params(StepParams)` and `responses(StepResponses)` of a step of the procedure on a
/// complaint; `ActionCommandParams` and `ActionCommandResponses` of a command on an action.
macro_rules! command_docs {
    ($($params:ident, $responses:ident: $resource:literal, $view:literal;)+) => {
        $(
            pub struct $params;

            impl IntoParams for $params {
                fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                    command_params($resource)
                }
            }

            pub struct $responses;

            impl IntoResponses for $responses {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    command_responses($view)
                }
            }
        )+
    };
}

command_docs! {
    StepParams, StepResponses: "complaint", "ComplaintView";
    ActionCommandParams, ActionCommandResponses: "action", "ActionView";
}

/// Adds the shared components: the bearer scheme, the problem schema and responses.
pub struct Components;

impl Modify for Components {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT naming the staff member (`sub`), their `name`, organisation \
                         (`org`) and `roles`. In development mode the service prints one per \
                         role at start.",
                    ))
                    .build(),
            ),
        );
        components.schemas.insert("Problem".into(), <Problem as utoipa::PartialSchema>::schema());
        let mut nested = Vec::new();
        <Problem as utoipa::ToSchema>::schemas(&mut nested);
        components.schemas.extend(nested);
        components.responses.extend(all_problem_responses());
    }
}

/// Per operation: states its roles (from its `x-roles` extension) in the description, and
/// adds the responses any authenticated request can get — malformed input, a missing or
/// refused token, an unreachable database, for operations with a body the size and
/// media-type refusals, and for writes the rate limit.
pub struct OperationDefaults;

impl Modify for OperationDefaults {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation {
                    describe_path_parameters(path, operation);
                    complete_operation(operation, writes);
                }
            }
        }
    }
}

/// Describes path parameters that have no description yet by the collection they index:
/// `{id}` after `/complaints` is "The complaint's id".
fn describe_path_parameters(path: &str, operation: &mut Operation) {
    let segments: Vec<&str> = path.split('/').collect();
    let parameters = operation.parameters.iter_mut().flatten().filter_map(|p| match p {
        RefOr::T(parameter) => Some(parameter),
        RefOr::Ref(_) => None,
    });
    for parameter in parameters {
        if parameter.parameter_in != ParameterIn::Path || parameter.description.is_some() {
            continue;
        }
        let placeholder = format!("{{{}}}", parameter.name);
        let collection = segments
            .iter()
            .position(|s| *s == placeholder)
            .and_then(|i| i.checked_sub(1))
            .map(|i| segments[i].trim_end_matches('s'));
        if let Some(collection) = collection {
            parameter.description = Some(format!("The {collection}'s id"));
        }
    }
}

fn complete_operation(operation: &mut Operation, writes: bool) {
    let roles = operation
        .extensions
        .as_ref()
        .and_then(|e| e.get("x-roles"))
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "));
    if let Some(roles) = roles {
        let described = operation.description.take().unwrap_or_default();
        let line = if roles.is_empty() {
            "**Roles:** none (public)".to_owned()
        } else {
            format!("**Roles:** {roles}")
        };
        operation.description =
            Some(if described.is_empty() { line } else { format!("{described}\n\n{line}") });
    }
    // Public operations (health) declare their own few responses.
    let public = operation.security.as_ref().is_some_and(|s| s.iter().all(is_empty_requirement));
    if public {
        return;
    }
    // Any authenticated request can be malformed, unauthenticated, from an unknown
    // organisation or a token without a role (403), or meet an unreachable database.
    let mut defaults = vec![
        ("400", "BadRequest"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("431", "HeadersTooLarge"),
        ("503", "ServiceUnavailable"),
    ];
    if operation.request_body.is_some() {
        defaults.extend([("413", "PayloadTooLarge"), ("415", "UnsupportedMediaType")]);
    }
    if writes {
        defaults.push(("429", "TooManyRequests"));
    }
    for (status, name) in defaults {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

fn is_empty_requirement(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    requirement == &utoipa::openapi::security::SecurityRequirement::default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;
    use strum::VariantArray;

    use crate::domain::codes::ProblemCode;

    /// Every name the document defines: schema properties, enum values, parameters, headers.
    fn defined_names(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for key in ["properties", "headers"] {
                    if let Some(Value::Object(defined)) = map.get(key) {
                        names.extend(defined.keys().cloned());
                    }
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    names.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                if let (Some(Value::String(name)), Some(_)) = (map.get("name"), map.get("in")) {
                    names.insert(name.clone());
                }
                map.values().for_each(|v| defined_names(v, names));
            }
            Value::Array(items) => items.iter().for_each(|v| defined_names(v, names)),
            _ => {}
        }
    }

    /// A description names problem codes in backticks (`already_escalated`): each must be a
    /// code the service has, not a rule renamed or a typo. A backticked name that is not a
    /// code must be one the document defines (a field, a parameter, an enum value).
    #[test]
    fn every_code_an_operation_names_exists() {
        let document = serde_json::to_value(super::openapi()).unwrap();
        let codes: BTreeSet<&str> = ProblemCode::VARIANTS.iter().map(|c| c.as_str()).collect();
        let mut defined = BTreeSet::new();
        defined_names(&document["components"], &mut defined);
        defined_names(&document["paths"], &mut defined);
        let snake_case = |word: &str| word.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        let mut named_codes = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let description = operation["description"].as_str().unwrap_or("");
                for word in description.split('`').skip(1).step_by(2).filter(|w| snake_case(w)) {
                    if codes.contains(word) {
                        named_codes.insert(word);
                    } else {
                        assert!(
                            defined.contains(word),
                            "{method} {path} names `{word}`: neither a problem code nor a name \
                             the document defines"
                        );
                    }
                }
            }
        }
        // The procedure's descriptions name their refusals; the check has something to check.
        assert!(named_codes.len() >= 12, "only {named_codes:?}");
    }

    /// The contract lists every code, so that an integrator knows all it can switch on.
    #[test]
    fn the_problem_schema_publishes_every_code() {
        let document = serde_json::to_value(super::openapi()).unwrap();
        let published = &document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"];
        let published: Vec<&str> =
            published.as_array().unwrap().iter().flat_map(Value::as_str).collect();
        let all: Vec<&str> = ProblemCode::VARIANTS.iter().map(|c| c.as_str()).collect();
        assert_eq!(published, all);
    }
}
