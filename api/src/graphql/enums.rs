//! The domain vocabularies as GraphQL enums (remote derives of `entity::enums`, so the database,
//! the importer and the API share one definition and the compiler keeps them in step).

use async_graphql::Enum;

/// How precisely a published date is known.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::DatePrecision")]
pub enum DatePrecision {
    /// "2017"
    Year,
    /// "Q2 2019"
    Quarter,
    /// "May 2017"
    Month,
    /// "14 November 2019"
    Day,
}

/// Publication state of a plan.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::PlanStatus")]
pub enum PlanStatus {
    /// Visible to the plan's own organizations only.
    Draft,
    /// Public.
    Published,
}

/// What kind of place a programme "city" is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::CityKind")]
pub enum CityKind {
    /// A municipality.
    City,
    /// A region or metropolitan area ("Stuttgart Region").
    Region,
    /// A district of a city.
    District,
    /// A development zone or "new area".
    DevelopmentZone,
    /// An association of municipalities.
    Association,
    /// Anything else.
    Other,
}

/// The kind of institution through which a city acts.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::OrganizationKind")]
pub enum OrganizationKind {
    /// A municipal government.
    Municipality,
    /// A district government or development-district administration.
    District,
    /// A university or research institute.
    University,
    /// A private company.
    Company,
    /// A hospital.
    Hospital,
    /// A public agency, including the programme's own office.
    Agency,
    /// A network or association.
    Network,
    /// Anything else.
    Other,
}

/// The form a cooperation activity took.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::ActivityKind")]
pub enum ActivityKind {
    /// A delegation's mission.
    Mission,
    /// A study visit to a partner city.
    StudyVisit,
    /// An in-person meeting.
    Meeting,
    /// A meeting held online.
    OnlineMeeting,
    /// A forum.
    Forum,
    /// A conference or seminar.
    Conference,
    /// A workshop.
    Workshop,
    /// A training course.
    Training,
    /// A pilot project.
    Pilot,
    /// A matchmaking or B2B event.
    Matchmaking,
    /// The signing of an MoU.
    MouSigning,
    /// Anything else.
    Other,
}

/// Which list of a plan a statement belongs to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::StatementKind")]
pub enum StatementKind {
    /// A key focus area of the plan's themes.
    Focus,
    /// A key challenge.
    Challenge,
    /// A main objective.
    Objective,
}

/// The kind of outcome a plan expects.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::ResultKind")]
pub enum ResultKind {
    /// A memorandum of understanding.
    Mou,
    /// A joint cooperation project.
    JointProject,
    /// A virtual laboratory.
    VirtualLab,
    /// A cluster of institutions or companies.
    Cluster,
    /// A joint research and development centre.
    JointRdCentre,
    /// A publication.
    Publication,
    /// Anything else.
    Other,
}

/// Where a memorandum of understanding stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::MouStatus")]
pub enum MouStatus {
    /// Intended, not yet negotiated.
    Planned,
    /// Under negotiation.
    Negotiating,
    /// Signed and in force.
    Signed,
    /// Ran out.
    Expired,
    /// Ended by a party.
    Terminated,
    /// Abandoned before signature.
    Cancelled,
}

/// How serious a data-quality finding is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::Severity")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably wrong; shown with the value.
    Warning,
    /// Certainly wrong.
    Error,
}

/// Which kind of record a data issue is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::IssueEntity")]
pub enum IssueEntity {
    /// The plan itself.
    Plan,
    /// A city.
    City,
    /// A theme.
    Theme,
    /// A focus, challenge or objective statement.
    Statement,
    /// An activity.
    Activity,
    /// An expected result.
    ExpectedResult,
    /// An MoU.
    Mou,
    /// The source document.
    Source,
}

/// What an access token may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::Role")]
pub enum Role {
    /// Everything, including organizations, participants, tokens and the audit log.
    Admin,
    /// Reads like a viewer; writes the records of plans its organizations take part in.
    Editor,
    /// Reads the non-public data of plans its organizations take part in.
    Viewer,
}

/// How an organization takes part in a plan.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::ParticipantRole")]
pub enum ParticipantRole {
    /// The focal city's own institution.
    Focal,
    /// An institution of a partner city.
    Partner,
    /// A local stakeholder.
    Stakeholder,
    /// A funder of the cooperation.
    Funder,
    /// The programme's team.
    ProgrammeTeam,
}
