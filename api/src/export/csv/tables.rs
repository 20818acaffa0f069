//! The CSV files, and which record's rows each lists (their columns are the rows' fields, see
//! [`crate::export::document`]).

use sea_orm::DbErr;

use super::Sheet;
use crate::export::document as doc;

/// One CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Plans,
    PlanCities,
    Participants,
    Cities,
    Organizations,
    Themes,
    Statements,
    SdgLinks,
    UrbanAgendaLinks,
    ExpectedResults,
    Activities,
    Mous,
    Contacts,
    DataIssues,
}

impl Table {
    pub const ALL: &'static [Table] = &[
        Table::Plans,
        Table::PlanCities,
        Table::Participants,
        Table::Cities,
        Table::Organizations,
        Table::Themes,
        Table::Statements,
        Table::SdgLinks,
        Table::UrbanAgendaLinks,
        Table::ExpectedResults,
        Table::Activities,
        Table::Mous,
        Table::Contacts,
        Table::DataIssues,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Table::Plans => "plans.csv",
            Table::PlanCities => "plan-cities.csv",
            Table::Participants => "participants.csv",
            Table::Cities => "cities.csv",
            Table::Organizations => "organizations.csv",
            Table::Themes => "themes.csv",
            Table::Statements => "statements.csv",
            Table::SdgLinks => "sdg-links.csv",
            Table::UrbanAgendaLinks => "urban-agenda-links.csv",
            Table::ExpectedResults => "expected-results.csv",
            Table::Activities => "activities.csv",
            Table::Mous => "mous.csv",
            Table::Contacts => "contacts.csv",
            Table::DataIssues => "data-issues.csv",
        }
    }

    /// Writes this table's rows of `plans` to `sheet`, its header first when that is still due
    /// (without plans, only the header). Cities and organizations are not rows of a plan.
    pub(super) fn write(self, plans: &[doc::Plan], sheet: &mut Sheet) -> Result<(), DbErr> {
        let plans = plans.iter();
        match self {
            Table::Plans => sheet.rows(plans.map(doc::PlanRow::from)),
            Table::PlanCities => sheet.rows(plans.flat_map(doc::PlanCityRow::of)),
            Table::Participants => sheet.rows(plans.flat_map(doc::ParticipantRow::of)),
            Table::Cities => sheet.rows(std::iter::empty::<doc::CityRow>()),
            Table::Organizations => sheet.rows(std::iter::empty::<doc::OrganizationRow>()),
            Table::Themes => sheet.rows(plans.flat_map(doc::ThemeRow::of)),
            Table::Statements => sheet.rows(plans.flat_map(doc::StatementRow::of)),
            Table::SdgLinks => sheet.rows(plans.flat_map(doc::SdgLinkRow::of)),
            Table::UrbanAgendaLinks => sheet.rows(plans.flat_map(doc::UrbanAgendaRow::of)),
            Table::ExpectedResults => sheet.rows(plans.flat_map(doc::ExpectedResultRow::of)),
            Table::Activities => sheet.rows(plans.flat_map(doc::ActivityRow::of)),
            Table::Mous => sheet.rows(plans.flat_map(doc::MouRow::of)),
            Table::Contacts => sheet.rows(plans.flat_map(doc::ContactRow::of)),
            Table::DataIssues => sheet.rows(plans.flat_map(doc::IssueRow::of)),
        }
    }
}
