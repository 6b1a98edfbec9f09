"""The contact list as data and paint: the model the session fills and the delegate that draws its rows."""
