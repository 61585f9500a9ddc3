//! A JSON write's body, read only after its caller is known: without credentials every
//! write answers 401 whatever its body (not 400, 415 or 422 naming what the body lacks),
//! and a malformed body is refused in the reader's language with the parser's detail.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::auth::User;
use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;

/// The authenticated token user and the parsed body.
pub struct ApiJson<T>(pub User, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = axum::response::Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (mut parts, body) = request.into_parts();
        let MaybeUser(user) = MaybeUser::from_request_parts(&mut parts, state).await?;
        let user = crate::auth::require_token(user).map_err(IntoResponse::into_response)?;
        let request = Request::from_parts(parts, body);
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(user, value)),
            Err(rejection) => Err(AppError::rejected(rejection.status(), rejection.body_text()).into_response()),
        }
    }
}
