@xeneta
Feature: Daily average rates
  Prices between two ports, or every port of two regions, averaged per day,
  newest day first; an average is only given for 3 prices or more.

  Background:
    Given the service runs on the Xeneta 2021 dataset

  Scenario: The reference answer, CNGGZ to EETLL in January 2021
    When I GET "/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL"
    Then the response status is 200
    And the rates are:
      | day        | count | price              |
      | 2021-01-31 | 3     | 1154.3333333333333 |
      | 2021-01-30 | 3     | 1154.3333333333333 |
      | 2021-01-29 | 3     | 1154.3333333333333 |
      | 2021-01-28 | 3     | 1155               |
      | 2021-01-27 | 3     | 1155               |
      | 2021-01-26 | 3     | 1154.6666666666667 |
      | 2021-01-25 | 3     | 1154.6666666666667 |
      | 2021-01-24 | 3     | 1154.3333333333333 |
      | 2021-01-23 | 3     | 1154.3333333333333 |
      | 2021-01-22 | 3     | 1154.3333333333333 |
      | 2021-01-21 | 3     | 1154.6666666666667 |
      | 2021-01-20 | 3     | 1154.6666666666667 |
      | 2021-01-19 | 3     | 1155               |
      | 2021-01-18 | 3     | 1154.6666666666667 |
      | 2021-01-17 | 3     | 1155               |
      | 2021-01-16 | 3     | 1155               |
      | 2021-01-15 | 3     | 1155               |
      | 2021-01-14 | 3     | 1154.6666666666667 |
      | 2021-01-13 | 3     | 1154.6666666666667 |
      | 2021-01-12 | 3     | 1154.6666666666667 |
      | 2021-01-11 | 3     | 1154.6666666666667 |
      | 2021-01-10 | 3     | 1155               |
      | 2021-01-09 | 3     | 1155               |
      | 2021-01-08 | 3     | 1155               |
      | 2021-01-07 | 3     | 1155               |
      | 2021-01-06 | 3     | 1154               |
      | 2021-01-05 | 3     | 1154               |
      | 2021-01-04 | 3     | 1154.3333333333333 |
      | 2021-01-03 | 3     | 1154.6666666666667 |
      | 2021-01-02 | 3     | 1154.6666666666667 |
      | 2021-01-01 | 3     | 1154.6666666666667 |
    And the rates equal a direct SQL aggregate over prices

  Scenario: The same answer through the origin and destination aliases
    When I GET "/rates?date_from=2021-01-01&date_to=2021-01-31&origin=CNGGZ&destination=EETLL"
    Then the response status is 200
    And the rates equal a direct SQL aggregate over prices

  Scenario: Whole regions, expanded through every level below them
    When I GET "/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=china_main&dest_code=northern_europe"
    Then the response status is 200
    And there are 31 rates
    And the rates equal a direct SQL aggregate over prices

  Scenario Outline: Bad input is a 400 naming the parameter
    When I GET "/rates?<query>"
    Then the response status is 400
    And the error mentions "<param>"

    Examples:
      | query                                                                   | param     |
      | date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL                      | date_from |
      | date_from=2021-01-01&date_to=2021-02-30&orig_code=CNGGZ&dest_code=EETLL | date_to   |
      | date_from=2021-02-01&date_to=2021-01-01&orig_code=CNGGZ&dest_code=EETLL | date_from |
      | date_from=2021-01-01&date_to=2021-01-31&orig_code=XXXXX&dest_code=EETLL | XXXXX     |
      | date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=      | dest_code |
