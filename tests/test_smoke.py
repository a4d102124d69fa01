"""The app starts and serves its home page."""


def test_home_page_renders_in_korean(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "양방향 매칭" in response.get_data(as_text=True)


def test_signed_in_company_user_sees_company_menu(company_client):
    response = company_client.get("/")
    assert "내 솔루션" in response.get_data(as_text=True)
