@xeneta
Feature: The 2016 dump's edge cases
  The 2016 dump ends with statements that empty 3 January and leave a single
  price on 4 January, from CNSGH to GBFXT, a port two levels below
  north_europe_main. Imported, they must answer as they would loaded by psql.

  Background:
    Given the service runs on the Xeneta 2016 dataset

  Scenario: A day without prices and a day with a lone price in a grandchild region
    When I GET "/rates?date_from=2016-01-02&date_to=2016-01-04&orig_code=CNSGH&dest_code=north_europe_main"
    Then the response status is 200
    And the rate on "2016-01-04" has count 1 and no price
    And the rate on "2016-01-03" has count 0 and no price
    And the rates equal a direct SQL aggregate over prices
