//! The OpenAPI document's shared parts: the bearer scheme, the problem responses every
//! operation points to, and the finishing touches derived from each operation's own
//! attributes (its roles; the errors every request can meet).

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, Required};
use utoipa::{IntoParams, IntoResponses, Modify, PartialSchema, ToResponse};

use crate::error::{PROBLEM_CONTENT_TYPE, Problem};

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
    TooManyRequests: "The caller's writes exceed the configured rate; retry after the `Retry-After` seconds",
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
