//! Paged lists: one page, or every item (and page) as a lazy stream.
//!
//! Every list operation of the spec (one that takes `startIndex` and `count` and answers with a
//! `{totalResults, startIndex, itemsPerPage, resources}` page) implements [`PagedRequest`]; the
//! impls are derived from the spec by `build.rs`. With [`Paginate`] in scope (it is in the
//! prelude), any such request builder can be streamed:
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use trivoreid::prelude::*;
//! use trivoreid::{Filter, TrivoreId};
//!
//! # async fn run(api: TrivoreId) -> Result<(), trivoreid::Error> {
//! let mut users = api.user_list().filter(Filter::sw("username", "a")).items();
//! while let Some(user) = users.try_next().await? {
//!     println!("{:?}", user.username);
//! }
//! # Ok(()) }
//! ```
//!
//! A stream stops when it has fetched `totalResults` items, or at an empty or short page. A
//! server that ignores `startIndex` (it answers with another start, or with the same page again)
//! ends the stream with an error instead of looping forever or yielding duplicates.

use std::future::Future;

use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};

use crate::error::{ApiError, ApiErrorKind, Error, SdkError};

/// The largest page the Management API serves.
pub const MAX_PAGE_SIZE: i64 = 500;
/// The page size streams use unless told otherwise.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Number of results in all pages, when the server says.
    pub total_results: Option<i64>,
    /// 0-based index of this page's first result, when the server says.
    pub start_index: Option<i64>,
    /// Number of results in this page, when the server says.
    pub items_per_page: Option<i64>,
    /// The results.
    pub resources: Vec<T>,
}

/// A request builder of a list operation. Implemented by `build.rs` for every list operation of
/// the spec; not meant to be implemented by hand.
pub trait PagedRequest: Clone + Send + Sized {
    /// The item type.
    type Item: Clone + PartialEq + Send;
    /// The generated page type.
    type Page: Send;
    /// The operationId.
    const OPERATION: &'static str;
    /// The same request for another range.
    fn range(self, start_index: i64, count: i64) -> Self;
    /// Sends the request.
    fn fetch(self) -> impl Future<Output = Result<Self::Page, Error>> + Send;
    /// The generated page as a [`Page`].
    fn into_page(page: Self::Page) -> Page<Self::Item>;
}

/// Paging for every list operation (in the prelude).
pub trait Paginate: PagedRequest {
    /// Fetches one page: the range set on the builder, or the server's default.
    fn page(self) -> impl Future<Output = Result<Page<Self::Item>, Error>> + Send {
        async move { Ok(Self::into_page(self.fetch().await?)) }
    }

    /// Paging options: page size and first index, then [`Paginator::pages`] or
    /// [`Paginator::items`].
    fn paginate(self) -> Paginator<Self> {
        Paginator {
            request: self,
            start_index: 0,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Every page, fetched lazily, [`DEFAULT_PAGE_SIZE`] items each.
    fn pages<'s>(self) -> BoxStream<'s, Result<Page<Self::Item>, Error>>
    where
        Self: 's,
    {
        self.paginate().pages()
    }

    /// Every item, fetched lazily page by page.
    fn items<'s>(self) -> BoxStream<'s, Result<Self::Item, Error>>
    where
        Self: 's,
    {
        self.paginate().items()
    }
}

impl<R: PagedRequest> Paginate for R {}

/// Options for streaming a list.
#[derive(Debug, Clone)]
pub struct Paginator<R> {
    request: R,
    start_index: i64,
    page_size: i64,
}

struct State<R: PagedRequest> {
    request: R,
    next: i64,
    page_size: i64,
    /// The first item of the previous page: a server that ignores `startIndex` repeats it.
    previous_first: Option<R::Item>,
    done: bool,
}

impl<R: PagedRequest> Paginator<R> {
    /// Items per request, 1 to [`MAX_PAGE_SIZE`] (default [`DEFAULT_PAGE_SIZE`]). Another value
    /// makes the stream's first item an [`SdkError::InvalidArgument`].
    pub fn page_size(mut self, page_size: i64) -> Self {
        self.page_size = page_size;
        self
    }

    /// The 0-based index of the first item (default 0).
    pub fn start_index(mut self, start_index: i64) -> Self {
        self.start_index = start_index;
        self
    }

    fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(SdkError::InvalidArgument {
                name: "page_size",
                reason: format!("must be 1 to {MAX_PAGE_SIZE}, not {}", self.page_size),
            }
            .into());
        }
        if self.start_index < 0 {
            return Err(SdkError::InvalidArgument {
                name: "start_index",
                reason: format!("must not be negative, not {}", self.start_index),
            }
            .into());
        }
        Ok(())
    }

    /// Every page, fetched lazily.
    pub fn pages<'s>(self) -> BoxStream<'s, Result<Page<R::Item>, Error>>
    where
        R: 's,
    {
        let checked = self.check();
        let state = State {
            request: self.request,
            next: self.start_index,
            page_size: self.page_size,
            previous_first: None,
            done: checked.is_err(),
        };
        let first_error = futures::stream::iter(checked.err().map(Err));
        first_error
            .chain(futures::stream::try_unfold(state, next_page))
            .boxed()
    }

    /// Every item, fetched lazily page by page.
    pub fn items<'s>(self) -> BoxStream<'s, Result<R::Item, Error>>
    where
        R: 's,
    {
        self.pages()
            .map_ok(|page| futures::stream::iter(page.resources.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

fn ignored_start_index(operation: &str, requested: i64, detail: &str) -> Error {
    ApiError::new(ApiErrorKind::Protocol)
        .with_operation(operation)
        .with_message(format!(
            "the server ignored startIndex={requested} ({detail}); stopped instead of repeating items"
        ))
        .into()
}

async fn next_page<R: PagedRequest>(
    mut state: State<R>,
) -> Result<Option<(Page<R::Item>, State<R>)>, Error> {
    if state.done {
        return Ok(None);
    }
    let requested = state.next;
    let page = R::into_page(
        state
            .request
            .clone()
            .range(requested, state.page_size)
            .fetch()
            .await?,
    );
    if let Some(start) = page.start_index
        && start != requested
    {
        return Err(ignored_start_index(
            R::OPERATION,
            requested,
            &format!("it answered with startIndex={start}"),
        ));
    }
    if !page.resources.is_empty() && page.resources.first() == state.previous_first.as_ref() {
        return Err(ignored_start_index(
            R::OPERATION,
            requested,
            "it answered with the previous page again",
        ));
    }
    let len = page.resources.len() as i64;
    state.next = requested + len;
    state.done = len == 0
        || len < state.page_size
        || page
            .total_results
            .is_some_and(|total| requested + len >= total);
    if len == 0 {
        return Ok(None);
    }
    state.previous_first = page.resources.first().cloned();
    Ok(Some((page, state)))
}
