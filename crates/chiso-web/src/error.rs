//! One error type for every handler: a status and a message in Vietnamese.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError { status, message: message.into() }
    }
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "Bạn không có quyền thực hiện thao tác này.")
    }
    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "Không tìm thấy trang hoặc dữ liệu yêu cầu.")
    }
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn login_required() -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "Vui lòng đăng nhập.")
    }
}

impl From<chiso_store::StoreError> for AppError {
    fn from(e: chiso_store::StoreError) -> AppError {
        match e {
            chiso_store::StoreError::NotFound => AppError::not_found(),
            chiso_store::StoreError::Conflict(m) => {
                AppError::new(StatusCode::CONFLICT, format!("Xung đột dữ liệu: {m}"))
            }
            chiso_store::StoreError::Database(e) => {
                eprintln!("database error: {e}");
                AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Lỗi cơ sở dữ liệu; thao tác chưa được ghi. Vui lòng thử lại.",
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = crate::html::page(
            "Lỗi",
            None,
            &format!(
                "<h1>Lỗi {}</h1><p class=\"error\">{}</p><p><a href=\"/\">Trang chủ</a></p>",
                self.status.as_u16(),
                crate::html::esc(&self.message)
            ),
        );
        (self.status, body).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
